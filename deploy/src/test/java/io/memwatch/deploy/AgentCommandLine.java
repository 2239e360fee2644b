package io.memwatch.deploy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The JVM options a container gives through an environment variable, and in them memwatch's
 * {@code -javaagent:PATH=OPTIONS}. The launcher splits the variable at white space and honours quotes; the
 * manifests use no quotes, and a value with one is refused here rather than split wrongly.
 */
record AgentCommandLine(String variable, String value, List<String> tokens, String jarPath, String agentArgs) {
  static final List<String> VARIABLES = List.of("JDK_JAVA_OPTIONS", "JAVA_TOOL_OPTIONS");

  /** The variable of the container that carries {@code -javaagent:}, if any. */
  static Optional<AgentCommandLine> of(Container container) {
    if (container.getEnv() == null) {
      return Optional.empty();
    }
    for (EnvVar env : container.getEnv()) {
      if (VARIABLES.contains(env.getName()) && env.getValue() != null && env.getValue().contains("-javaagent:")) {
        return Optional.of(parse(env.getName(), env.getValue()));
      }
    }
    return Optional.empty();
  }

  static AgentCommandLine parse(String variable, String value) {
    if (value.contains("\"") || value.contains("'")) {
      throw new IllegalArgumentException(variable + " has quotes, which this reading does not model: " + value);
    }
    List<String> tokens = Arrays.stream(value.strip().split("\\s+")).toList();
    List<String> agents = tokens.stream().filter(t -> t.startsWith("-javaagent:")).toList();
    if (agents.size() != 1) {
      throw new IllegalArgumentException(variable + " should load one agent, not " + agents.size() + ": " + value);
    }
    String agent = agents.get(0).substring("-javaagent:".length());
    int equals = agent.indexOf('=');
    return new AgentCommandLine(variable, value, tokens,
        equals < 0 ? agent : agent.substring(0, equals), equals < 0 ? "" : agent.substring(equals + 1));
  }

  /** The same variable's value with the agent's jar and options replaced, every other token kept. */
  String withAgent(String jar, String args) {
    return String.join(" ", tokens.stream()
        .map(t -> t.startsWith("-javaagent:") ? "-javaagent:" + jar + (args.isEmpty() ? "" : "=" + args) : t)
        .toList());
  }
}
