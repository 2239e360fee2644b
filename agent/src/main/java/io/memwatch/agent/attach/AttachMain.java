package io.memwatch.agent.attach;

import io.memwatch.agent.options.Options;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The agent jar's {@code Main-Class}: {@code java -jar memwatch-agent.jar list} shows the JVMs
 * this user can attach to, {@code java -jar memwatch-agent.jar attach PID [OPTIONS]} loads this
 * same jar into one of them through the Attach API, where {@code agentmain} starts memwatch.
 *
 * <p>A separate process from the target: it may print to stdout (results) and stderr (one-line
 * errors prefixed {@code memwatch: }, each with its own {@link ExitStatus}).
 */
public final class AttachMain {
  /** Set by the agent in the JVM it runs in (MemwatchAgent.STARTED_MARKER): a second attach does nothing. */
  static final String STARTED_PROPERTY = "io.memwatch.agent.started";
  /** Set by the agent once it serves metrics: where it does. */
  static final String URL_PROPERTY = "io.memwatch.agent.url";

  private AttachMain() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    try {
      return dispatch(args, out, err).code;
    } catch (CliFailure failure) {
      err.println("memwatch: " + failure.getMessage());
      return failure.status.code;
    } catch (RuntimeException | LinkageError e) {
      err.println("memwatch: failed: " + CliFailure.oneLine(e.toString()));
      return ExitStatus.FAILED.code;
    }
  }

  private static ExitStatus dispatch(String[] args, PrintStream out, PrintStream err) throws CliFailure {
    if (args.length == 0) {
      err.print(usage());
      return ExitStatus.USAGE;
    }
    String command = args[0];
    List<String> rest = Arrays.asList(args).subList(1, args.length);
    switch (command) {
      case "-h":
      case "--help":
      case "help":
        out.print(usage());
        return ExitStatus.OK;
      case "list":
        boolean check = rest.equals(List.of("--check"));
        if (!rest.isEmpty() && !check) {
          throw new CliFailure(ExitStatus.USAGE, "list takes only --check, not '" + String.join(" ", rest) + "'");
        }
        requireAttachApi();
        return new JvmList(out, err, check).run();
      case "attach":
        if (rest.isEmpty()) {
          throw new CliFailure(ExitStatus.USAGE, "attach needs the PID of a JVM: " + command() + " attach PID [OPTIONS]");
        }
        return attach(rest.get(0), rest.subList(1, rest.size()), out, err);
      default:
        if (command.chars().allMatch(Character::isDigit)) {
          return attach(command, rest, out, err); // the PID alone: attach is what it can mean
        }
        throw new CliFailure(ExitStatus.USAGE, "unknown command '" + command + "'; " + command() + " --help shows the commands");
    }
  }

  private static ExitStatus attach(String pidText, List<String> optionWords, PrintStream out, PrintStream err)
      throws CliFailure {
    long pid = parsePid(pidText);
    String options = agentOptions(optionWords);
    requireAttachApi();
    return new Attacher(ownJar(), out, err).attach(pid, options);
  }

  static long parsePid(String text) throws CliFailure {
    if (text.isEmpty() || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new CliFailure(ExitStatus.NOT_A_PID, "'" + text + "' is not a process id (a number); '" + command()
          + " list' shows the JVMs you can attach to");
    }
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new CliFailure(ExitStatus.NO_SUCH_PROCESS, "no process " + text + " (far beyond any process id)");
    }
  }

  /**
   * The agent's options, as one {@code key=value,...} string: words after the PID are joined by
   * commas. Checked here, where the user sees the answer, not only on the target's stderr.
   */
  static String agentOptions(List<String> words) throws CliFailure {
    String options = String.join(",", words);
    List<String> problems = new ArrayList<>();
    Options.parse(options, Map.of(), Map.of(), problems::add);
    if (!problems.isEmpty()) {
      String problem = problems.get(0).replace(" ignored;", ";").replaceFirst("; using the default .*$", "");
      throw new CliFailure(ExitStatus.USAGE, problem + "; nothing attached");
    }
    return options;
  }

  /** The Attach API is module jdk.attach: part of every JDK, missing from JREs and many slim images. */
  private static void requireAttachApi() throws CliFailure {
    if (ModuleLayer.boot().findModule("jdk.attach").isEmpty()) {
      throw new CliFailure(ExitStatus.NO_ATTACH_API, "this Java runtime (" + System.getProperty("java.home")
          + ") has no Attach API (module jdk.attach, part of every JDK, not of a JRE): run this with a JDK's java");
    }
  }

  /** This jar: what the target loads. */
  static Path ownJar() throws CliFailure {
    CodeSource source = AttachMain.class.getProtectionDomain().getCodeSource();
    Path path = null;
    try {
      path = source == null ? null : Path.of(source.getLocation().toURI()).toAbsolutePath();
    } catch (URISyntaxException | RuntimeException e) {
      // reported below
    }
    if (path == null || !Files.isRegularFile(path)) {
      throw new CliFailure(ExitStatus.LOAD_FAILED, "cannot find the agent jar this runs from (" + path
          + "): run it as java -jar memwatch-agent.jar");
    }
    return path;
  }

  static String jarName() {
    try {
      return ownJar().toString();
    } catch (CliFailure e) {
      return "memwatch-agent.jar";
    }
  }

  /** How the user runs this tool, for messages that suggest a next command. */
  static String command() {
    try {
      return "java -jar " + ownJar().getFileName();
    } catch (CliFailure e) {
      return "java -jar memwatch-agent.jar";
    }
  }

  /** The main class (or jar) a target was started with, from its own system properties. */
  static String mainClass(Properties properties) {
    String command = properties.getProperty("sun.java.command", "").strip();
    int space = command.indexOf(' ');
    return command.isEmpty() ? "?" : space < 0 ? command : command.substring(0, space);
  }

  private static String usage() {
    String jar = command();
    return String.join(System.lineSeparator(),
        "usage: " + jar + " list [--check]",
        "       " + jar + " attach PID [OPTIONS]",
        "",
        "  list          the JVMs of this user that accept attach: PID, whether memwatch runs there, main class",
        "  list --check  also attach to each to ask whether memwatch runs there, and where its metrics are",
        "  attach PID    load memwatch into the running JVM PID; OPTIONS as for -javaagent, e.g. port=0,debug=true",
        "                (or as separate words: port=0 debug=true). If memwatch already runs there: nothing done.",
        "",
        "Attach needs a JDK (module jdk.attach), the same user as the target and a /tmp both processes see.",
        "Exit status: 0 attached or already running, 1 failed, 2 usage or bad option, 3 not a PID,",
        "4 no such process, 5 not a JVM, 6 JVM does not accept attach, 7 another user's process, 8 no Attach API",
        "in this Java, 9 target older than Java 17, 10 target refuses dynamic agents, 11 port in use or no metrics",
        "served, 12 the target could not load the agent.",
        "");
  }
}
