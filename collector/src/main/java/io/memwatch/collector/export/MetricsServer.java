package io.memwatch.collector.export;

import io.memwatch.collector.log.Log;
import io.memwatch.collector.page.LiveFeed;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;

/**
 * Serves the registry on {@code http://host:port/metrics}, and the endpoints that act on the JVM.
 *
 * <p>On Jetty rather than the JDK's {@code com.sun.net.httpserver}, under which the Prometheus
 * exporter's own server runs: that one reads each request on a worker thread, so a few clients that
 * send half a request and wait held every worker and no scrape was answered, and its timeouts are
 * JVM-wide properties that would change the host's own servers too. Jetty reads requests without
 * holding a thread, closes a connection idle for {@link #IDLE_TIMEOUT_MILLIS}, keeps at most
 * {@link #MAX_CONNECTIONS} (and at the limit closes idle ones within {@link #IDLE_AT_LIMIT_MILLIS}), and
 * refuses oversized requests; all its threads are daemons named {@code memwatch-http}. Beyond
 * loopback it can serve TLS and ask for basic auth ({@link Listen}).
 *
 * <p>Jetty starts at the first connection ({@link FirstConnection}): its start costs some 150 ms of
 * CPU and the JIT's work after it (Jetty's {@code Server} lists every locale the JDK knows), which a
 * host that is never scraped, or only later, should not pay while it starts. The port is bound at
 * once, so a busy one is still reported at start, and the first scrape waits for Jetty's start. With
 * TLS Jetty starts at once: a key store it cannot use is reported at start, not at the first scrape.
 */
public final class MetricsServer implements AutoCloseable {
  static final long IDLE_TIMEOUT_MILLIS = 10_000;
  static final int MAX_CONNECTIONS = 128;
  static final long IDLE_AT_LIMIT_MILLIS = 1_000;
  private static final int MAX_THREADS = 8;
  private static final int START_ATTEMPTS = 10;

  private final PrometheusMeterRegistry registry;
  private final Map<String, GuardedEndpoint> endpoints;
  private final Listen listen;
  private final LiveFeed feed;
  private final int port;
  private volatile Server server; // null until Jetty runs
  private volatile ServerConnector connector;
  private ServerSocketChannel bound; // the socket bound before Jetty runs, null with TLS
  private FirstConnection firstConnection;
  private boolean closed;

  private MetricsServer(PrometheusMeterRegistry registry, Map<String, GuardedEndpoint> endpoints, Listen listen,
      LiveFeed feed, int port) {
    this.registry = registry;
    this.endpoints = endpoints;
    this.listen = listen;
    this.feed = feed;
    this.port = port;
  }

  /** Binds, to serve from the first connection on; an {@link IOException} (a busy port, say) leaves nothing running. */
  public static MetricsServer start(PrometheusMeterRegistry registry, String host, int port) throws IOException {
    return start(registry, Listen.plain(host, port), Map.of());
  }

  /** The same, with the endpoints that act on the JVM, by path ({@code /heapdump}, {@code /retainers}). */
  public static MetricsServer start(PrometheusMeterRegistry registry, String host, int port, Map<String, GuardedEndpoint> endpoints)
      throws IOException {
    return start(registry, Listen.plain(host, port), endpoints);
  }

  /**
   * The same, with TLS and basic auth where {@code listen} asks for them.
   *
   * <p>Some hosts interrupt every thread they see, the one starting memwatch included; binding a
   * socket channel in an interrupted thread closes it. So the flag is cleared before each try, and a
   * start that an interrupt broke is tried again, {@link #START_ATTEMPTS} times at most.
   */
  public static MetricsServer start(PrometheusMeterRegistry registry, Listen listen, Map<String, GuardedEndpoint> endpoints)
      throws IOException {
    return start(registry, listen, endpoints, null);
  }

  /** The same, with the live page on {@code /} fed by {@code feed}; null serves a pointer to {@code /metrics} there. */
  public static MetricsServer start(PrometheusMeterRegistry registry, Listen listen, Map<String, GuardedEndpoint> endpoints,
      LiveFeed feed) throws IOException {
    if (listen.tls() != null) {
      ServerConnector connector = startConnector(registry, listen, endpoints, feed, null);
      MetricsServer started = new MetricsServer(registry, endpoints, listen, feed, connector.getLocalPort());
      started.running(connector);
      return started;
    }
    ServerSocketChannel channel = bind(listen);
    MetricsServer waiting = new MetricsServer(registry, endpoints, listen, feed, channel.socket().getLocalPort());
    waiting.bound = channel;
    try {
      waiting.firstConnection = FirstConnection.watch(channel, "memwatch-http-wait", waiting::startOn);
    } catch (IOException | RuntimeException e) {
      closeQuietly(channel);
      throw e;
    }
    return waiting;
  }

  // As Jetty binds (address reuse, the JDK's backlog), and as startConnector, tried again after an interrupt.
  private static ServerSocketChannel bind(Listen listen) throws IOException {
    for (int attempt = 1; ; attempt++) {
      Thread.interrupted();
      ServerSocketChannel channel = ServerSocketChannel.open();
      try {
        channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        channel.bind(new InetSocketAddress(listen.host(), listen.port()));
        return channel;
      } catch (IOException e) {
        closeQuietly(channel);
        if (attempt < START_ATTEMPTS && (Thread.currentThread().isInterrupted() || interrupted(e))) {
          continue;
        }
        throw e;
      }
    }
  }

  // On the first connection's thread: Jetty takes the bound socket and accepts what waits in it.
  private synchronized void startOn(ServerSocketChannel channel) {
    if (closed) {
      return;
    }
    try {
      running(startConnector(registry, onTheBoundPort(), endpoints, feed, channel));
    } catch (IOException | RuntimeException e) {
      closeQuietly(channel);
      Log.warn("the metrics endpoint could not start on " + baseUrl() + " (" + e + "); metrics stay off, the application runs on");
    }
  }

  private void running(ServerConnector started) {
    connector = started;
    server = started.getServer();
  }

  private Listen onTheBoundPort() {
    return new Listen(listen.host(), port, listen.tls(), listen.basicAuth());
  }

  private static void closeQuietly(ServerSocketChannel channel) {
    try {
      channel.close();
    } catch (IOException ignored) {
      // nothing more can be let go of
    }
  }

  private static ServerConnector startConnector(PrometheusMeterRegistry registry, Listen listen,
      Map<String, GuardedEndpoint> endpoints, LiveFeed feed, ServerSocketChannel bound) throws IOException {
    for (int attempt = 1; ; attempt++) {
      Thread.interrupted();
      ServerConnector connector = build(registry, listen, endpoints, feed, bound);
      Server server = connector.getServer();
      try {
        server.start();
        return connector;
      } catch (Exception e) {
        stopQuietly(server);
        if (attempt < START_ATTEMPTS && (Thread.currentThread().isInterrupted() || interrupted(e))) {
          continue;
        }
        // Jetty wraps the bind's own exception: callers tell a busy port by its type.
        if (e.getCause() instanceof java.net.BindException busy) {
          throw busy;
        }
        throw e instanceof IOException io && io.getMessage() != null ? io : new IOException(String.valueOf(e), e);
      }
    }
  }

  private static boolean interrupted(Throwable e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof java.nio.channels.ClosedByInterruptException || cause instanceof InterruptedException
          || cause instanceof java.io.InterruptedIOException) {
        return true;
      }
    }
    return false;
  }

  private static ServerConnector build(PrometheusMeterRegistry registry, Listen listen, Map<String, GuardedEndpoint> endpoints,
      LiveFeed feed, ServerSocketChannel bound) {
    // A queue of the JDK's, not Jetty's default: that one reads the JVM's options through the platform
    // MBean server, whose start-up (some 100 ms of CPU, 50 classes) the host would pay for nothing.
    QueuedThreadPool threads = new QueuedThreadPool(MAX_THREADS, 2, new LinkedBlockingQueue<>());
    threads.setName("memwatch-http");
    threads.setDaemon(true);
    threads.setReservedThreads(0);
    threads.setIdleTimeout((int) IDLE_TIMEOUT_MILLIS); // threads a burst of scrapes started go away soon after
    Server server = new Server(threads, new ScheduledExecutorScheduler("memwatch-http-scheduler", true), null);
    server.setStopAtShutdown(false); // closed by closeAtExit(), which waits for no connection
    server.setStopTimeout(0); // a scraper's idle keep-alive connection must not hold a close up
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.setSendDateHeader(false);
    ServerConnector connector;
    if (listen.tls() == null) {
      connector = new BoundConnector(server, bound, new HttpConnectionFactory(http));
    } else {
      SslContextFactory.Server tls = new SslContextFactory.Server();
      tls.setKeyStorePath(listen.tls().keyStore().toString());
      tls.setKeyStorePassword(listen.tls().password());
      tls.setKeyStoreType("PKCS12");
      // Scrapers address the pod or host by IP, rarely by the certificate's name: no SNI checks.
      tls.setSniRequired(false);
      SecureRequestCustomizer secure = new SecureRequestCustomizer();
      secure.setSniHostCheck(false);
      http.addCustomizer(secure);
      connector = new ServerConnector(server, 1, 1, new SslConnectionFactory(tls, "http/1.1"), new HttpConnectionFactory(http));
    }
    connector.setHost(listen.host());
    connector.setPort(listen.port());
    connector.setIdleTimeout(IDLE_TIMEOUT_MILLIS);
    server.addConnector(connector);
    NetworkConnectionLimit limit = new NetworkConnectionLimit(MAX_CONNECTIONS, connector);
    limit.setEndPointIdleTimeout(IDLE_AT_LIMIT_MILLIS);
    server.addBean(limit);
    server.setHandler(new Routes(registry.getPrometheusRegistry(), endpoints, feed, listen.basicAuth()));
    return connector;
  }

  private static void stopQuietly(Server server) {
    try {
      server.stop();
    } catch (Exception ignored) {
      // already failing: the first error is the one to report
    }
  }

  /**
   * Opens the endpoint again, on the same port, if its listening socket was closed: an interrupt of
   * the thread that accepts connections closes it (the JDK's channels are interruptible), and a host
   * that interrupts threads it does not own would otherwise leave memwatch unreachable for good.
   *
   * @return whether it had to
   */
  public synchronized boolean reopenIfClosed() throws IOException {
    if (closed || server == null || connector.isOpen() || !server.isStarted()) { // a closed server is never reopened
      return false;
    }
    stopQuietly(server);
    running(startConnector(registry, onTheBoundPort(), endpoints, feed, null));
    return true;
  }

  /** The port actually bound, which differs from the one asked for when that was 0. */
  public int port() {
    return port;
  }

  public String metricsUrl() {
    return baseUrl() + Routes.METRICS;
  }

  /** Where the live page is, or null when this server has none. */
  public String pageUrl() {
    return feed == null ? null : baseUrl() + "/";
  }

  private String baseUrl() {
    String shown = listen.host().contains(":") ? "[" + listen.host() + "]" : listen.host();
    return (listen.tls() == null ? "http://" : "https://") + shown + ":" + port();
  }

  /**
   * Closes the endpoint when the JVM exits. The JVM's last step waits up to 300 ms for threads that
   * are in native code to come out, and the endpoint's selector and acceptor sit in native
   * {@code epoll_wait} and {@code accept} for as long as they are open: left open, they made every
   * host's exit 300 ms slower. Scrapes during the host's own shutdown hooks go unanswered instead.
   */
  public void closeAtExit() {
    try {
      Runtime.getRuntime().addShutdownHook(new Thread(this::close, "memwatch-http-exit"));
    } catch (IllegalStateException exiting) {
      close();
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (firstConnection != null) {
      firstConnection.close();
      closeQuietly(bound); // Jetty's now, if it started: stopping it closes the socket too
    }
    if (server != null) {
      stopQuietly(server);
    }
  }

  /** A connector on the socket memwatch bound, where there is one, rather than one it binds itself. */
  private static final class BoundConnector extends ServerConnector {
    private ServerSocketChannel bound;

    BoundConnector(Server server, ServerSocketChannel bound, ConnectionFactory... factories) {
      super(server, 1, 1, factories);
      this.bound = bound;
    }

    @Override
    protected ServerSocketChannel openAcceptChannel() throws IOException {
      ServerSocketChannel channel = bound;
      bound = null; // a start tried again after a failed one binds the port anew
      return channel != null && channel.isOpen() ? channel : super.openAcceptChannel();
    }
  }
}
