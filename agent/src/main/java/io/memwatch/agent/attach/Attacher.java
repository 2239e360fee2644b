package io.memwatch.agent.attach;

import com.sun.tools.attach.AgentInitializationException;
import com.sun.tools.attach.AgentLoadException;
import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import io.memwatch.agent.options.Options;
import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * {@code attach PID}: looks at the process first (exists, same user, a JVM, ready for attach),
 * then asks the JVM whether memwatch already runs there, loads this jar into it, and waits until
 * the agent says where it serves metrics.
 *
 * <p>Uses the Attach API (module jdk.attach): only loaded once {@link AttachMain} made sure the
 * module is there.
 */
final class Attacher {
  /** Time for the target to bring memwatch up and bind its port: a busy target on a busy machine. */
  private static final Duration SERVE_DEADLINE = Duration.ofSeconds(20);
  private static final String DYNAMIC_LOADING_FLAG = "-XX:+EnableDynamicAgentLoading";

  private final Path jar;
  private final PrintStream out;
  private final PrintStream err;

  Attacher(Path jar, PrintStream out, PrintStream err) {
    this.jar = jar;
    this.out = out;
    this.err = err;
  }

  ExitStatus attach(long pid, String options) throws CliFailure {
    lookBeforeAttaching(pid);
    VirtualMachine vm = open(pid);
    try {
      Properties properties = systemProperties(vm, pid);
      String target = "JVM " + pid + " (" + AttachMain.mainClass(properties) + ", Java "
          + properties.getProperty("java.specification.version", "?") + ")";
      if (properties.getProperty(AttachMain.STARTED_PROPERTY) != null) {
        String url = properties.getProperty(AttachMain.URL_PROPERTY);
        out.println("memwatch: already running in " + target + (url != null
            ? "; metrics at " + url
            : ", but not serving metrics (a line starting with 'memwatch:' on its stderr says why)")
            + "; nothing done");
        return ExitStatus.OK;
      }
      int feature = javaFeature(properties);
      if (feature < 17) {
        throw new CliFailure(ExitStatus.TARGET_TOO_OLD, target + " is too old: memwatch needs Java 17 or later; nothing done");
      }
      requireFreePort(pid, options, properties);
      load(vm, pid, options);
      String url = awaitMetricsUrl(vm, pid);
      out.println("memwatch: attached to " + target + "; metrics at " + url);
      if (feature >= 21 && !startedWithDynamicLoadingEnabled(pid)) {
        err.println("memwatch: note: Java 21 and later print 'WARNING: A Java agent has been loaded dynamically' on the"
            + " target's stderr unless it was started with " + DYNAMIC_LOADING_FLAG + " (a later Java may refuse"
            + " without it); harmless: memwatch is running");
      }
      return ExitStatus.OK;
    } finally {
      try {
        vm.detach();
      } catch (IOException ignored) {
        // the target went away: nothing to let go of
      }
    }
  }

  /** Whatever can be known without sending the process anything. */
  private static void lookBeforeAttaching(long pid) throws CliFailure {
    if (pid == ProcessHandle.current().pid()) {
      throw new CliFailure(ExitStatus.USAGE, pid + " is this attach tool itself; give the PID of the JVM to monitor");
    }
    Optional<ProcessHandle> handle = ProcessHandle.of(pid);
    if (handle.isEmpty() || !handle.get().isAlive()) {
      throw new CliFailure(ExitStatus.NO_SUCH_PROCESS, "no process " + pid + " (ended, or a typo?); '"
          + AttachMain.command() + " list' shows the JVMs you can attach to");
    }
    if (!ProcFacts.available()) {
      return; // not Linux: the Attach API will tell
    }
    ProcFacts facts = new ProcFacts(pid);
    String process = "process " + pid + facts.name().map(n -> " (" + n + ")").orElse("");
    Optional<Long> ownUid = ProcFacts.ownEffectiveUid();
    Optional<Long> targetUid = facts.effectiveUid();
    if (ownUid.isPresent() && targetUid.isPresent() && !ownUid.equals(targetUid) && ownUid.get() != 0) {
      String owner = handle.get().info().user().orElse("uid " + targetUid.get());
      throw new CliFailure(ExitStatus.OTHER_USER, process + " belongs to user " + owner + ", and this runs as "
          + System.getProperty("user.name") + ": attach needs the same user as the target JVM (try: sudo -u "
          + owner + " " + AttachMain.command() + " attach " + pid + ")");
    }
    if (facts.runsJvm().equals(Optional.of(false))) {
      throw new CliFailure(ExitStatus.NOT_A_JVM, process + " is not a Java virtual machine; nothing done");
    }
    boolean openJ9Here = System.getProperty("java.vm.name", "").contains("OpenJ9");
    if (facts.runsOpenJ9().equals(Optional.of(true)) && !openJ9Here) {
      // HotSpot's Attach API would only send it SIGQUIT, which makes OpenJ9 write a javacore file.
      throw new CliFailure(ExitStatus.NOT_ATTACHABLE, process + " is an OpenJ9 JVM, which HotSpot's Attach API cannot"
          + " reach: run this tool with an OpenJ9 JDK's java; nothing sent");
    }
    if (!openJ9Here && !facts.attachSocketExists() && facts.catchesSigquit().equals(Optional.of(false))) {
      // The Attach API would send SIGQUIT to start the attach listener: without a handler, that kills the process.
      throw new CliFailure(ExitStatus.NOT_ATTACHABLE, process + " cannot be attached to now: it does not handle"
          + " SIGQUIT (a JVM still starting, or one whose signal handling was changed); nothing sent");
    }
  }

  private static VirtualMachine open(long pid) throws CliFailure {
    try {
      return VirtualMachine.attach(Long.toString(pid));
    } catch (AttachNotSupportedException e) {
      String message = CliFailure.describe(e);
      if (message.contains("does not support the attach mechanism")) {
        throw new CliFailure(ExitStatus.NOT_ATTACHABLE, "JVM " + pid + " does not accept attach (started with"
            + " -XX:+DisableAttachMechanism?): start it with -javaagent:" + AttachMain.jarName() + " instead");
      }
      if (message.contains("socket file") || message.contains("respond")) {
        throw new CliFailure(ExitStatus.NOT_ATTACHABLE, "JVM " + pid + " did not answer the attach request: it may"
            + " be hung or have attach disabled (-XX:+DisableAttachMechanism), or see another /tmp than this tool"
            + " (systemd PrivateTmp, a container: run this inside the same container) [" + message + "]");
      }
      if (message.contains("no providers installed")) {
        throw new CliFailure(ExitStatus.NO_ATTACH_API, "this Java runtime has no attach provider (" + message + ")");
      }
      throw new CliFailure(ExitStatus.NOT_ATTACHABLE, "cannot attach to JVM " + pid + ": " + message);
    } catch (IOException e) {
      String message = CliFailure.describe(e);
      if (message.contains("owned by") || message.contains("ermission denied") || message.contains("not secure")) {
        throw new CliFailure(ExitStatus.OTHER_USER, "cannot attach to JVM " + pid + ": attach needs the same user"
            + " as the target JVM [" + message + "]");
      }
      if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
        throw new CliFailure(ExitStatus.FAILED, "cannot attach to JVM " + pid + ": " + message);
      }
      throw new CliFailure(ExitStatus.NO_SUCH_PROCESS, "process " + pid + " ended while attaching");
    }
  }

  private static Properties systemProperties(VirtualMachine vm, long pid) throws CliFailure {
    try {
      return vm.getSystemProperties();
    } catch (IOException e) {
      throw new CliFailure(ExitStatus.FAILED, "cannot read the system properties of JVM " + pid + ": "
          + CliFailure.describe(e));
    }
  }

  /**
   * The port the agent would bind in the target, as the target would resolve its options (agent
   * arguments, then its memwatch.* system properties, then its MEMWATCH_* environment): when another
   * process holds it, say so now rather than after a wait, and attach nothing.
   */
  private static void requireFreePort(long pid, String agentArgs, Properties properties) throws CliFailure {
    if (!ProcFacts.available() || !new ProcFacts(pid).sharesNetwork().orElse(false)) {
      return; // another network namespace (a container): its ports are not ours to try
    }
    Map<String, String> targetProperties = new HashMap<>();
    properties.forEach((k, v) -> targetProperties.put(String.valueOf(k), String.valueOf(v)));
    Options effective = Options.parse(agentArgs, targetProperties, new ProcFacts(pid).environment(), problem -> {});
    if (effective.port() == 0) {
      return;
    }
    InetSocketAddress address = new InetSocketAddress(effective.host(), effective.port());
    if (address.isUnresolved()) {
      return; // the agent will say so
    }
    try (ServerSocket probe = new ServerSocket()) {
      probe.bind(address);
    } catch (BindException e) {
      throw new CliFailure(ExitStatus.NOT_SERVING, "port " + effective.port() + " on " + effective.host()
          + " is in use (another memwatch?): give port=N, or port=0 for a free one; nothing attached");
    } catch (IOException | RuntimeException e) {
      // not ours to judge: the agent will try and say
    }
  }

  private void load(VirtualMachine vm, long pid, String options) throws CliFailure {
    try {
      vm.loadAgent(jar.toString(), options.isEmpty() ? null : options);
    } catch (AgentLoadException | AgentInitializationException | IOException e) {
      String message = CliFailure.describe(e);
      if (message.contains("EnableDynamicAgentLoading") || message.contains("ynamic agent loading")) {
        throw new CliFailure(ExitStatus.DYNAMIC_AGENTS_DISABLED, "JVM " + pid + " refuses agents loaded while it"
            + " runs (started with -XX:-EnableDynamicAgentLoading?): start it with -javaagent:" + jar
            + " instead [" + message + "]");
      }
      throw new CliFailure(ExitStatus.LOAD_FAILED, "JVM " + pid + " could not load " + jar + ": " + message
          + " (the target must be able to read this path; its stderr may say more)");
    }
  }

  /** The agent records its URL once it serves: ask until it does, or the deadline passes. */
  private static String awaitMetricsUrl(VirtualMachine vm, long pid) throws CliFailure {
    long deadline = System.nanoTime() + SERVE_DEADLINE.toNanos();
    Properties properties;
    do {
      properties = systemProperties(vm, pid);
      String url = properties.getProperty(AttachMain.URL_PROPERTY);
      if (url != null) {
        return url;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    } while (System.nanoTime() < deadline);
    throw new CliFailure(ExitStatus.NOT_SERVING, "loaded into JVM " + pid + ", but "
        + (properties.getProperty(AttachMain.STARTED_PROPERTY) == null ? "memwatch did not start" : "it serves no metrics")
        + " after " + SERVE_DEADLINE.toSeconds() + " s: a line starting with 'memwatch:' on the target's stderr says why"
        + " (a busy port? port=0 picks a free one)");
  }

  private static int javaFeature(Properties properties) {
    String version = properties.getProperty("java.specification.version", "0");
    try {
      return version.startsWith("1.") ? Integer.parseInt(version.substring(2)) : Integer.parseInt(version);
    } catch (NumberFormatException e) {
      return 17; // unknown: let the target decide
    }
  }

  private static boolean startedWithDynamicLoadingEnabled(long pid) {
    return ProcFacts.available() && new ProcFacts(pid).launchOptions().contains(DYNAMIC_LOADING_FLAG);
  }
}
