package io.memwatch.collector.dump;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.memwatch.collector.log.Log;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;

/**
 * {@code POST /heapdump} with {@code Authorization: Bearer TOKEN}: writes a heap dump and answers
 * with its path, like the Node.js guide's {@code /snapshot}, but guarded: POST only (405 otherwise),
 * the operator's token (401 without one, 403 with a wrong one), one dump at a time (409), never
 * filling the disk (507).
 */
public final class HeapDumpEndpoint implements HttpHandler {
  public static final String PATH = "/heapdump";

  private final HeapDumper dumper;
  private final byte[] token;

  public HeapDumpEndpoint(HeapDumper dumper, String token) {
    if (token == null || token.isBlank()) {
      throw new IllegalArgumentException("the heap dump endpoint needs a token");
    }
    this.dumper = dumper;
    this.token = token.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!"POST".equals(exchange.getRequestMethod())) {
        exchange.getResponseHeaders().set("Allow", "POST");
        respond(exchange, 405, "use POST to write a heap dump\n");
        return;
      }
      String authorization = exchange.getRequestHeaders().getFirst("Authorization");
      if (authorization == null || !authorization.startsWith("Bearer ")) {
        exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"memwatch\"");
        respond(exchange, 401, "a token is needed: Authorization: Bearer TOKEN\n");
        return;
      }
      byte[] given = authorization.substring("Bearer ".length()).trim().getBytes(StandardCharsets.UTF_8);
      if (!MessageDigest.isEqual(given, token)) { // constant time: no timing hints about the token
        respond(exchange, 403, "wrong token\n");
        return;
      }
      try {
        Path file = dumper.dump("request");
        Log.info("heap dump written on request to " + file);
        respond(exchange, 200, file + "\n");
      } catch (HeapDumper.Refused refused) {
        int status = refused.reason() == HeapDumper.Refused.Reason.BUSY ? 409 : 507;
        respond(exchange, status, refused.getMessage() + "\n");
      } catch (IOException | RuntimeException e) {
        Log.warn("heap dump failed: " + e);
        respond(exchange, 500, "heap dump failed: " + e.getMessage() + "\n");
      }
    }
  }

  static void respond(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
  }
}
