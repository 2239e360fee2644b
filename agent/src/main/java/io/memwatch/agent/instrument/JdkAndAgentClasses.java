package io.memwatch.agent.instrument;

import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.security.ProtectionDomain;
import java.util.Set;
import java.util.stream.Collectors;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.utility.JavaModule;

/**
 * What is never instrumented: the JDK (whatever loader it came from: {@code jdk.compiler}, say,
 * is loaded by the application loader), memwatch itself, and classes generated at run time
 * for reflection.
 */
final class JdkAndAgentClasses implements AgentBuilder.RawMatcher {
  private static final Set<String> SYSTEM_MODULES = ModuleFinder.ofSystem().findAll().stream()
      .map(ModuleReference::descriptor)
      .map(descriptor -> descriptor.name())
      .collect(Collectors.toUnmodifiableSet());
  private static final ClassLoader PLATFORM = ClassLoader.getPlatformClassLoader();

  @Override
  public boolean matches(TypeDescription type, ClassLoader loader, JavaModule module, Class<?> beingRedefined,
      ProtectionDomain protectionDomain) {
    if (loader == null || loader == PLATFORM) {
      return true;
    }
    if (module != null && module.isNamed() && SYSTEM_MODULES.contains(module.getActualName())) {
      return true;
    }
    String name = type.getName();
    return name.startsWith("io.memwatch.agent.")
        || name.startsWith("io.memwatch.collector.")
        || name.startsWith("io.memwatch.shaded.")
        || name.startsWith("jdk.internal.")
        || name.startsWith("sun.reflect.")
        || name.startsWith("java.")
        || name.startsWith("jdk.");
  }
}
