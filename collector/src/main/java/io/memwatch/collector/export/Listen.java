package io.memwatch.collector.export;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;

/**
 * Where and how the metrics are served: the address, and for an address beyond loopback, TLS and
 * basic auth. Secrets are held here only, never printed ({@link #toString()} hides them).
 *
 * @param tls the server's key store, or null for plain HTTP
 * @param basicAuth the user and password {@code /metrics} requires, or null for none
 */
public record Listen(String host, int port, Tls tls, BasicAuth basicAuth) {
  public static Listen plain(String host, int port) {
    return new Listen(host, port, null, null);
  }

  /** A PKCS12 key store with the server's certificate and private key, and its password. */
  public record Tls(Path keyStore, String password) {
    @Override
    public String toString() {
      return "Tls[keyStore=" + keyStore + ", password=(hidden)]";
    }
  }

  /** The credentials {@code /metrics} asks for, checked in constant time. */
  public record BasicAuth(String user, String password) {
    /** Whether an {@code Authorization} header (null if none) carries these credentials. */
    public boolean allows(String authorization) {
      if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
        return false;
      }
      byte[] given;
      try {
        given = Base64.getDecoder().decode(authorization.substring(6).trim());
      } catch (IllegalArgumentException notBase64) {
        return false;
      }
      return MessageDigest.isEqual(given, (user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
      return "BasicAuth[user=" + user + ", password=(hidden)]";
    }
  }

  /** True when the address is not a loopback one: reachable from other machines. */
  public boolean beyondLoopback() {
    try {
      return !java.net.InetAddress.getByName(host).isLoopbackAddress();
    } catch (java.net.UnknownHostException e) {
      return true;
    }
  }
}
