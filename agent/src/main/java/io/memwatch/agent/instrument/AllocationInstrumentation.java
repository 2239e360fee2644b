package io.memwatch.agent.instrument;

import static net.bytebuddy.matcher.ElementMatchers.isSynthetic;

import io.memwatch.agent.hook.AllocationHook;
import io.memwatch.collector.events.EventQueues;
import io.memwatch.collector.health.InstrumentationCounts;
import io.memwatch.collector.sites.SiteRegistry;
import java.lang.instrument.Instrumentation;
import java.util.List;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.agent.builder.ResettableClassFileTransformer;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.scaffold.MethodGraph;
import net.bytebuddy.dynamic.scaffold.TypeValidation;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * The whole allocation-site instrumentation, as one sentence: ignore the JDK and memwatch; match
 * the include and exclude globs; insert the allocation hook into every method; retransform classes
 * that were loaded before; count what could not be instrumented and leave it as it was.
 */
public final class AllocationInstrumentation implements AutoCloseable {
  private final Instrumentation instrumentation;
  private final ResettableClassFileTransformer transformer;

  private AllocationInstrumentation(Instrumentation instrumentation, ResettableClassFileTransformer transformer) {
    this.instrumentation = instrumentation;
    this.transformer = transformer;
  }

  /** Call only after {@link BootstrapInjector#inject}. */
  public static AllocationInstrumentation install(Instrumentation instrumentation, EventQueues queues,
      SiteRegistry sites, InstrumentationCounts counts, List<String> include, List<String> exclude, long sampleBytes) {
    AllocationHook.arm(new QueueingSink(queues, instrumentation), sampleBytes);
    HookVisibility hookVisibility = new HookVisibility();
    AllocationSiteWrapper allocationSites = new AllocationSiteWrapper(sites);
    ResettableClassFileTransformer transformer =
        // Only methods' code changes: no method graph (which resolves generics of the whole hierarchy
        // and fails on some anonymous classes in generic methods) and no validation are needed.
        new AgentBuilder.Default(new ByteBuddy()
                .with(TypeValidation.DISABLED)
                .with(MethodGraph.Compiler.ForDeclaredMethods.INSTANCE))
            .disableClassFormatChanges()
            .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
            .with(new RetransformationFailures(counts))
            .with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE)
            .with(AgentBuilder.DescriptionStrategy.Default.POOL_ONLY)
            .with(AgentBuilder.PoolStrategy.Default.FAST)
            .with(new InstrumentationListener(counts))
            // The hook sits in the bootstrap loader's unnamed module: code in named modules must read it.
            .assureReadEdgeTo(instrumentation, AllocationHook.class)
            .ignore(new JdkAndAgentClasses())
            .or(isSynthetic())
            .type(selectedBy(new PackageGlobs(include), new PackageGlobs(exclude)))
            .transform((builder, type, loader, module, protectionDomain) ->
                hookVisibility.visibleFrom(loader) ? builder.visit(allocationSites) : builder)
            .installOn(instrumentation);
    return new AllocationInstrumentation(instrumentation, transformer);
  }

  private static ElementMatcher<TypeDescription> selectedBy(PackageGlobs include, PackageGlobs exclude) {
    return type -> (include.isEmpty() || include.matches(type.getName())) && !exclude.matches(type.getName());
  }

  /** Stops sampling and restores the classes' original code. */
  @Override
  public void close() {
    AllocationHook.disarm();
    transformer.reset(instrumentation, AgentBuilder.RedefinitionStrategy.RETRANSFORMATION);
  }
}
