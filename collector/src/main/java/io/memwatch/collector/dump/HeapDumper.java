package io.memwatch.collector.dump;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

/**
 * Writes heap dumps of live objects, guarded: into one directory only readable by the JVM's user,
 * one at a time, never more than {@code maxFiles} of them there, and never when the disk has less
 * room than the heap in use plus a reserve, so a dump can never fill the disk.
 */
public final class HeapDumper {
  /** Room left free on the disk beyond the dump itself. */
  static final long RESERVE_BYTES = 512L << 20;
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

  /** Why a dump was not written; the message says what to do. */
  public static final class Refused extends IOException {
    public enum Reason { BUSY, FULL, DISK }

    private final Reason reason;

    Refused(Reason reason, String message) {
      super(message);
      this.reason = reason;
    }

    public Reason reason() {
      return reason;
    }
  }

  private final Path directory;
  private final int maxFiles;
  private final LongSupplier heapUsed;
  private final AtomicBoolean dumping = new AtomicBoolean();

  public HeapDumper(Path directory, int maxFiles, LongSupplier heapUsed) {
    this.directory = directory.toAbsolutePath();
    this.maxFiles = maxFiles;
    this.heapUsed = heapUsed;
  }

  public static HeapDumper inDirectory(Path directory, int maxFiles) {
    return new HeapDumper(directory, maxFiles, () -> ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
  }

  public Path directory() {
    return directory;
  }

  /** Dumps the live heap; {@code label} goes into the file name (e.g. "leak" or "request"). */
  public Path dump(String label) throws IOException {
    if (!dumping.compareAndSet(false, true)) {
      throw new Refused(Refused.Reason.BUSY, "a heap dump is being written already");
    }
    try {
      prepareDirectory();
      long existing = existingDumps();
      if (existing >= maxFiles) {
        throw new Refused(Refused.Reason.FULL, directory + " holds " + existing + " memwatch heap dumps already (at most "
            + maxFiles + "): move them away to allow more");
      }
      long needed = heapUsed.getAsLong() + RESERVE_BYTES;
      long usable = Files.getFileStore(directory).getUsableSpace();
      if (usable < needed) {
        throw new Refused(Refused.Reason.DISK, "only " + (usable >> 20) + " MiB free in " + directory + ", a dump needs about "
            + (needed >> 20) + " MiB");
      }
      Path file = directory.resolve("memwatch-" + ProcessHandle.current().pid() + "-" + LocalDateTime.now().format(STAMP)
          + "-" + label + ".hprof");
      ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).dumpHeap(file.toString(), true);
      ownerOnly(file, "rw-------");
      return file;
    } finally {
      dumping.set(false);
    }
  }

  private void prepareDirectory() throws IOException {
    if (!Files.isDirectory(directory)) {
      Files.createDirectories(directory);
    }
    ownerOnly(directory, "rwx------");
  }

  private long existingDumps() throws IOException {
    try (Stream<Path> files = Files.list(directory)) {
      return files.filter(f -> f.getFileName().toString().startsWith("memwatch-") && f.toString().endsWith(".hprof")).count();
    }
  }

  private static void ownerOnly(Path path, String permissions) throws IOException {
    try {
      Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(permissions));
    } catch (UnsupportedOperationException e) {
      // Not a POSIX file system: the platform's defaults apply.
    }
  }
}
