package io.memwatch.agent.instrument;

import io.memwatch.collector.health.InstrumentationCounts;
import io.memwatch.collector.log.Log;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.utility.JavaModule;

/**
 * Counts what was instrumented and what was left as it was. A class that cannot be transformed
 * keeps its original bytes (Byte Buddy's default); the reason goes to the debug log, and the first
 * failure is mentioned once so a user knows to look.
 */
final class InstrumentationListener extends AgentBuilder.Listener.Adapter {
  private final InstrumentationCounts counts;

  InstrumentationListener(InstrumentationCounts counts) {
    this.counts = counts;
  }

  @Override
  public void onTransformation(TypeDescription type, ClassLoader loader, JavaModule module, boolean loaded,
      DynamicType dynamicType) {
    counts.transformed();
  }

  @Override
  public void onError(String typeName, ClassLoader loader, JavaModule module, boolean loaded, Throwable error) {
    counts.error();
    Log.warnOnce("instrumentation-error",
        "left " + typeName + " uninstrumented (" + error + "); further such classes are counted in "
            + "memwatch_instrumentation_errors_total, reasons with debug=true");
    Log.debug("left " + typeName + " uninstrumented", error);
  }
}
