package io.memwatch.agent;

import io.memwatch.agent.options.Options;
import io.memwatch.collector.export.Listen;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Where and how to serve, from the options: TLS when a key store is named, basic auth when a user
 * is. Secrets come from files (the options name the files, so no secret sits in a command line or
 * a log), and are never printed. Asked for but unusable (a refused value, a file that cannot be
 * read), it serves nothing rather than fall back to less protection than asked for.
 */
final class ListenSettings {
  private ListenSettings() {}

  /** The settings the options ask for; empty, with one line said to {@code warn}, when they cannot be met. */
  static Optional<Listen> of(Options options, Consumer<String> warn) {
    Listen.Tls tls = null;
    if (options.given(Options.TLS_KEY_STORE) || options.given(Options.TLS_KEY_STORE_PASSWORD_FILE)) {
      if (options.tlsKeyStore().isEmpty() || options.tlsKeyStorePasswordFile().isEmpty()) {
        warn.accept("TLS needs both 'tlsKeyStore' and 'tlsKeyStorePasswordFile'; metrics stay off rather than be served without it");
        return Optional.empty();
      }
      Path keyStore = Path.of(options.tlsKeyStore());
      if (!Files.isReadable(keyStore)) {
        warn.accept("cannot read the key store " + keyStore + " ('tlsKeyStore'); metrics stay off rather than be served without TLS");
        return Optional.empty();
      }
      Optional<String> password = secret(options.tlsKeyStorePasswordFile(), "tlsKeyStorePasswordFile", warn);
      if (password.isEmpty()) {
        return Optional.empty();
      }
      tls = new Listen.Tls(keyStore, password.get());
    }
    Listen.BasicAuth basicAuth = null;
    if (options.given(Options.BASIC_AUTH_USER) || options.given(Options.BASIC_AUTH_PASSWORD_FILE)) {
      if (options.basicAuthUser().isEmpty() || options.basicAuthPasswordFile().isEmpty()) {
        warn.accept("basic auth needs both 'basicAuthUser' and 'basicAuthPasswordFile'; metrics stay off rather than be served without it");
        return Optional.empty();
      }
      Optional<String> password = secret(options.basicAuthPasswordFile(), "basicAuthPasswordFile", warn);
      if (password.isEmpty()) {
        return Optional.empty();
      }
      basicAuth = new Listen.BasicAuth(options.basicAuthUser(), password.get());
    }
    return Optional.of(new Listen(options.host(), options.port(), tls, basicAuth));
  }

  // The file's first line: a trailing newline from `echo secret > file` is not part of the secret.
  private static Optional<String> secret(String file, String option, Consumer<String> warn) {
    try {
      String secret = Files.readString(Path.of(file)).lines().findFirst().orElse("").strip();
      if (secret.isEmpty()) {
        warn.accept("the file " + file + " ('" + option + "') is empty; metrics stay off");
        return Optional.empty();
      }
      return Optional.of(secret);
    } catch (IOException | RuntimeException e) {
      warn.accept("cannot read " + file + " ('" + option + "'): " + e.getClass().getSimpleName() + "; metrics stay off");
      return Optional.empty();
    }
  }
}
