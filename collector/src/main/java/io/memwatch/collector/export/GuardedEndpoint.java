package io.memwatch.collector.export;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;

/**
 * An endpoint that acts on the JVM (a heap dump, a search for what keeps the leak): {@code POST}
 * only (405 otherwise) with {@code Authorization: Bearer TOKEN}, the operator's token (401 without
 * one, 403 with a wrong one). Only then does the action run, on the HTTP thread that took the
 * request: never a thread of the host's.
 */
public final class GuardedEndpoint {
  /** What the endpoint does once the request is allowed. */
  public interface Action {
    Answer run() throws IOException;
  }

  /** The status, the plain-text body and any headers of the answer. */
  public record Answer(int status, String body, Map<String, String> headers) {
    public Answer(int status, String body) {
      this(status, body, Map.of());
    }
  }

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

  /** @param authorization the request's {@code Authorization} header, null if it has none */
  public Answer answer(String method, String authorization) throws IOException {
    if (!"POST".equals(method)) {
      return new Answer(405, "use POST to " + purpose + "\n", Map.of("Allow", "POST"));
    }
    if (authorization == null || !authorization.startsWith("Bearer ")) {
      return new Answer(401, "a token is needed: Authorization: Bearer TOKEN\n",
          Map.of("WWW-Authenticate", "Bearer realm=\"memwatch\""));
    }
    byte[] given = authorization.substring("Bearer ".length()).trim().getBytes(StandardCharsets.UTF_8);
    if (!MessageDigest.isEqual(given, token)) { // constant time: no timing hints about the token
      return new Answer(403, "wrong token\n");
    }
    return action.run();
  }
}
