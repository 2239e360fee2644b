package io.memwatch.agent.attach;

/** A failure the CLI reports in one line, prefixed {@code memwatch: }, and exits on with its own status. */
final class CliFailure extends Exception {
  private static final long serialVersionUID = 1L;

  final ExitStatus status;

  CliFailure(ExitStatus status, String message) {
    super(oneLine(message), null, false, false);
    this.status = status;
  }

  /** Exception messages may span lines (a target's reply, a stack); the CLI's never do. */
  static String oneLine(String text) {
    return text == null ? "" : text.strip().replaceAll("\\s*\\R\\s*", "; ");
  }

  /** An exception as a short cause: its message, or its class name when it has none. */
  static String describe(Throwable t) {
    String message = t.getMessage();
    return oneLine(message == null || message.isBlank() ? t.getClass().getSimpleName() : message);
  }
}
