package io.memwatch.agent.jfr;

import java.util.function.Consumer;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingStream;

/**
 * The whole contract of a source fed by the JVM's Flight Recorder: which event it reads, how that
 * event must be enabled, and what it does with each one. One small handler per event type.
 */
public interface RecordedEventHandler extends Consumer<RecordedEvent>, AutoCloseable {
  String eventName();

  /** Enables the event on the stream with the settings this handler needs. */
  void enableOn(RecordingStream stream);

  /** Called on the stream's thread right before the stream starts; events come after it, on the same thread. */
  default void starting() {}

  @Override
  default void close() {}
}
