package io.memwatch.agent.attach;

/** The attach CLI's exit statuses: one for each failure a user can act on differently. */
enum ExitStatus {
  /** Attached, or memwatch already runs in the target; or the list was printed. */
  OK(0),
  /** Anything not foreseen below: the message names the cause. */
  FAILED(1),
  /** No or an unknown command, a missing PID, a bad agent option. */
  USAGE(2),
  NOT_A_PID(3),
  NO_SUCH_PROCESS(4),
  NOT_A_JVM(5),
  /** A JVM that does not accept attach: -XX:+DisableAttachMechanism, not answering, another /tmp. */
  NOT_ATTACHABLE(6),
  OTHER_USER(7),
  /** This Java runtime has no module jdk.attach (a JRE). */
  NO_ATTACH_API(8),
  /** The target runs a Java older than the agent's class files. */
  TARGET_TOO_OLD(9),
  /** The target was started with -XX:-EnableDynamicAgentLoading. */
  DYNAMIC_AGENTS_DISABLED(10),
  /** The agent's port is taken (nothing attached), or loaded but no metrics URL within the deadline. */
  NOT_SERVING(11),
  /** The target could not load or start the agent jar. */
  LOAD_FAILED(12);

  final int code;

  ExitStatus(int code) {
    this.code = code;
  }
}
