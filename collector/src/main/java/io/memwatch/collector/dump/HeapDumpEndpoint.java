package io.memwatch.collector.dump;

import io.memwatch.collector.export.GuardedEndpoint;
import io.memwatch.collector.log.Log;
import java.io.IOException;
import java.nio.file.Path;

/**
 * {@code POST /heapdump}: writes a heap dump and answers with its path, like the Node.js guide's
 * {@code /snapshot}, but guarded ({@link GuardedEndpoint}): one dump at a time (409), never filling
 * the disk (507).
 */
public final class HeapDumpEndpoint implements GuardedEndpoint.Action {
  public static final String PATH = "/heapdump";
  public static final String PURPOSE = "write a heap dump";

  private final HeapDumper dumper;

  public HeapDumpEndpoint(HeapDumper dumper) {
    this.dumper = dumper;
  }

  @Override
  public GuardedEndpoint.Answer run() {
    try {
      Path file = dumper.dump("request");
      Log.info("heap dump written on request to " + file);
      return new GuardedEndpoint.Answer(200, file + "\n");
    } catch (HeapDumper.Refused refused) {
      int status = refused.reason() == HeapDumper.Refused.Reason.BUSY ? 409 : 507;
      return new GuardedEndpoint.Answer(status, refused.getMessage() + "\n");
    } catch (IOException | RuntimeException e) {
      Log.warn("heap dump failed: " + e);
      return new GuardedEndpoint.Answer(500, "heap dump failed: " + e.getMessage() + "\n");
    }
  }
}
