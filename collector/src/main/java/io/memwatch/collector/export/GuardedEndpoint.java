package io.memwatch.collector.export;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * An endpoint that acts on the JVM (a heap dump, a search for what keeps the leak): {@code POST}
 * only (405 otherwise) with {@code Authorization: Bearer TOKEN}, the operator's token (401 without
 * one, 403 with a wrong one). Only then does the action run, on the HTTP thread that took the
 * request: never a thread of the host's.
 */
public final class GuardedEndpoint implements HttpHandler {
  /** What the endpoint does once the request is allowed. */
  public interface Action {
    Answer run() throws IOException;
  }

  /** The status and the plain-text body of the answer. */
  public record Answer(int status, String body) {}

  private final String purpose;
  private final byte[] token;
  private final Action action;

  /** @param purpose what a POST does, for the 405 answer: "write a heap dump" */
  public GuardedEndpoint(String purpose, String token, Action action) {
    if (token == null || token.isBlank()) {
      throw new IllegalArgumentException("an endpoint that acts on the JVM needs a token");
    }
    this.purpose = purpose;
    this.token = token.getBytes(StandardCharsets.UTF_8);
    this.action = action;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!"POST".equals(exchange.getRequestMethod())) {
        exchange.getResponseHeaders().set("Allow", "POST");
        respond(exchange, new Answer(405, "use POST to " + purpose + "\n"));
        return;
      }
      String authorization = exchange.getRequestHeaders().getFirst("Authorization");
      if (authorization == null || !authorization.startsWith("Bearer ")) {
        exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"memwatch\"");
        respond(exchange, new Answer(401, "a token is needed: Authorization: Bearer TOKEN\n"));
        return;
      }
      byte[] given = authorization.substring("Bearer ".length()).trim().getBytes(StandardCharsets.UTF_8);
      if (!MessageDigest.isEqual(given, token)) { // constant time: no timing hints about the token
        respond(exchange, new Answer(403, "wrong token\n"));
        return;
      }
      respond(exchange, action.run());
    }
  }

  private static void respond(HttpExchange exchange, Answer answer) throws IOException {
    byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    exchange.sendResponseHeaders(answer.status(), bytes.length);
    exchange.getResponseBody().write(bytes);
  }
}
