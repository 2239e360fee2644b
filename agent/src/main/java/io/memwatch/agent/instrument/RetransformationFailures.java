package io.memwatch.agent.instrument;

import io.memwatch.collector.health.InstrumentationCounts;
import io.memwatch.collector.log.Log;
import java.util.List;
import java.util.Map;
import net.bytebuddy.agent.builder.AgentBuilder;

/** Classes loaded before the agent that the JVM would not retransform: counted, and kept as they were. */
final class RetransformationFailures extends AgentBuilder.RedefinitionStrategy.Listener.Adapter {
  private final InstrumentationCounts counts;

  RetransformationFailures(InstrumentationCounts counts) {
    this.counts = counts;
  }

  @Override
  public Iterable<? extends List<Class<?>>> onError(int index, List<Class<?>> batch, Throwable throwable,
      List<Class<?>> types) {
    for (int i = 0; i < batch.size(); i++) {
      counts.error();
    }
    Log.debug("could not retransform " + batch + ": " + throwable);
    return List.of();
  }

  @Override
  public void onComplete(int amount, List<Class<?>> types, Map<List<Class<?>>, Throwable> failures) {
    Log.debug("retransformed " + types.size() + " loaded classes in " + amount + " batches; " + failures.size() + " failed");
  }
}
