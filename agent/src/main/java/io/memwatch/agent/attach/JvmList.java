package io.memwatch.agent.attach;

import com.sun.tools.attach.VirtualMachine;
import com.sun.tools.attach.VirtualMachineDescriptor;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;

/**
 * {@code list}: the JVMs this user can attach to, as the Attach API finds them (their
 * hsperfdata files in /tmp), with whether memwatch runs there.
 *
 * <p>Whether memwatch runs is cheap to tell only when it was started with {@code -javaagent}
 * (the command line or JAVA_TOOL_OPTIONS says so); otherwise only the target's system properties
 * know, and reading them means attaching: {@code list --check} does that.
 */
final class JvmList {
  private final PrintStream out;
  private final PrintStream err;
  private final boolean check;

  JvmList(PrintStream out, PrintStream err, boolean check) {
    this.out = out;
    this.err = err;
    this.check = check;
  }

  ExitStatus run() {
    long self = ProcessHandle.current().pid();
    List<VirtualMachineDescriptor> jvms = VirtualMachine.list().stream()
        .filter(d -> !d.id().equals(Long.toString(self)))
        .sorted(Comparator.comparingLong(JvmList::pidOf))
        .toList();
    if (jvms.isEmpty()) {
      err.println("memwatch: no JVM of user " + System.getProperty("user.name") + " accepts attach here");
      return ExitStatus.OK;
    }
    List<String[]> rows = new ArrayList<>();
    rows.add(check ? new String[] {"PID", "MEMWATCH", "MAIN", "METRICS"} : new String[] {"PID", "MEMWATCH", "MAIN"});
    for (VirtualMachineDescriptor jvm : jvms) {
      String main = mainOf(jvm.displayName());
      if (check) {
        String[] asked = asked(jvm);
        rows.add(new String[] {jvm.id(), asked[0], main, asked[1]});
      } else {
        rows.add(new String[] {jvm.id(), cheap(jvm), main});
      }
    }
    print(rows);
    if (rows.stream().anyMatch(row -> row[1].equals("?"))) {
      err.println("memwatch: MEMWATCH '?': " + (check
          ? "the JVM did not answer ('" + AttachMain.command() + " attach PID' says why)"
          : "not known without attaching; '" + AttachMain.command() + " list --check' attaches to each JVM to ask"));
    }
    return ExitStatus.OK;
  }

  private void print(List<String[]> rows) {
    int[] widths = new int[rows.get(0).length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.length; i++) {
        line.append(row[i]);
        if (i < row.length - 1) {
          line.append(" ".repeat(widths[i] - row[i].length() + 2));
        }
      }
      out.println(line);
    }
  }

  /** "yes" when a -javaagent option names a memwatch jar; "?" otherwise (it may have been attached since). */
  private static String cheap(VirtualMachineDescriptor jvm) {
    if (!ProcFacts.available()) {
      return "?";
    }
    boolean javaagent = new ProcFacts(pidOf(jvm)).launchOptions().stream()
        .anyMatch(option -> option.startsWith("-javaagent:") && option.contains("memwatch"));
    return javaagent ? "yes" : "?";
  }

  /** {"yes", URL} or {"no", "-"}, from the target's own system properties; {"?", "-"} if it would not say. */
  private static String[] asked(VirtualMachineDescriptor jvm) {
    VirtualMachine vm = null;
    try {
      vm = VirtualMachine.attach(jvm);
      Properties properties = vm.getSystemProperties();
      if (properties.getProperty(AttachMain.STARTED_PROPERTY) == null) {
        return new String[] {"no", "-"};
      }
      return new String[] {"yes", properties.getProperty(AttachMain.URL_PROPERTY, "(not serving)")};
    } catch (Exception e) {
      return new String[] {"?", "-"};
    } finally {
      if (vm != null) {
        try {
          vm.detach();
        } catch (Exception ignored) {
          // it went away
        }
      }
    }
  }

  /** The main class or jar: the first word of the command line (the rest may hold secrets). */
  private static String mainOf(String displayName) {
    String trimmed = displayName == null ? "" : displayName.strip();
    int space = trimmed.indexOf(' ');
    return trimmed.isEmpty() ? "?" : space < 0 ? trimmed : trimmed.substring(0, space);
  }

  private static long pidOf(VirtualMachineDescriptor jvm) {
    try {
      return Long.parseLong(jvm.id());
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }
}
