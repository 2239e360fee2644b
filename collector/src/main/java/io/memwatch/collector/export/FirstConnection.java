package io.memwatch.collector.export;

import io.memwatch.collector.log.Log;
import java.io.IOException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.util.function.Consumer;

/**
 * Waits, on a daemon thread of its own, until a client connects to a listening socket, then hands the
 * socket on, the connection still waiting in its backlog: whoever takes the socket accepts it. So a
 * server costs nothing until somebody asks for it, and the socket (the port) is bound from the start.
 *
 * <p>The thread sits in {@code epoll_wait} until then; {@link #close()} wakes it, and must be called
 * at the JVM's exit, whose last step waits for threads in native code.
 */
final class FirstConnection implements AutoCloseable {
  private final Selector selector;
  private final Thread waiter;
  private volatile boolean closed;

  private FirstConnection(ServerSocketChannel channel, String threadName, Consumer<ServerSocketChannel> onFirst)
      throws IOException {
    this.selector = Selector.open();
    try {
      channel.configureBlocking(false);
      channel.register(selector, SelectionKey.OP_ACCEPT);
    } catch (IOException | RuntimeException e) {
      selector.close();
      throw e;
    }
    this.waiter = new Thread(() -> waitThenHandOn(channel, onFirst), threadName);
    waiter.setDaemon(true);
    waiter.setUncaughtExceptionHandler(Log.SILENT_END);
  }

  /** Starts waiting on {@code channel}, bound and listening; {@code onFirst} gets it, in blocking mode again. */
  static FirstConnection watch(ServerSocketChannel channel, String threadName, Consumer<ServerSocketChannel> onFirst)
      throws IOException {
    FirstConnection watch = new FirstConnection(channel, threadName, onFirst);
    watch.waiter.start();
    return watch;
  }

  private void waitThenHandOn(ServerSocketChannel channel, Consumer<ServerSocketChannel> onFirst) {
    try {
      while (!closed && selector.select() == 0) {
        Thread.interrupted(); // a host that interrupts every thread wakes the select: wait on
      }
    } catch (ClosedSelectorException | IOException e) {
      return; // closed: nothing to hand on
    } finally {
      closeSelector(); // a channel registered with a selector cannot go back to blocking mode
    }
    if (!closed) {
      onFirst.accept(channel);
    }
  }

  /** Stops waiting; the channel is the caller's to close. */
  @Override
  public void close() {
    closed = true;
    closeSelector();
  }

  private void closeSelector() {
    try {
      selector.close();
    } catch (IOException ignored) {
      // a selector that cannot close has nothing left to wake
    }
  }
}
