package io.memwatch.deploy;

import java.io.IOException;

/**
 * A stand-in for a service's {@code main}, run in child JVMs: it says it runs, waits until its standard input
 * closes (60 s at most), and exits with the status given as its argument.
 */
public final class TinyMain {
  private TinyMain() {}

  public static void main(String[] args) throws InterruptedException {
    int status = Integer.parseInt(args[0]);
    System.out.println("tiny main: running");
    Thread reader = new Thread(() -> {
      try {
        while (System.in.read() >= 0) {
          // until the parent closes it
        }
      } catch (IOException e) {
        // closed
      }
    }, "stdin");
    reader.setDaemon(true);
    reader.start();
    reader.join(60_000);
    System.out.println("tiny main: exits with " + status);
    System.exit(status);
  }
}
