package io.memwatch.agent.instrument;

import io.memwatch.collector.sites.SiteRegistry;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Opcodes;

/**
 * One class file in, the same class with the allocation hook after every allocation out. No
 * writer flags: the injected code is straight-line and leaves the stack as it found it, so
 * existing stack map frames stay valid and computing frames (which loads classes from inside the
 * transformer) is never needed; {@link AllocationSiteMethodVisitor} raises each method's max stack.
 */
final class AllocationSiteRewriter {
  private final SiteRegistry sites;
  private final ObjectSizeEstimator sizes = new ObjectSizeEstimator();

  AllocationSiteRewriter(SiteRegistry sites) {
    this.sites = sites;
  }

  /** The rewritten class file, or null to leave the class as it is (synthetic classes: no source line to name). */
  byte[] rewrite(byte[] classFile, ClassLoader loader) {
    ClassReader reader = new ClassReader(classFile);
    if ((reader.getAccess() & Opcodes.ACC_SYNTHETIC) != 0) {
      return null;
    }
    // Passing the reader lets ASM copy the constant pool instead of rebuilding it.
    ClassWriter writer = new ClassWriter(reader, 0);
    String className = reader.getClassName().replace('/', '.');
    reader.accept(new AllocationSiteClassVisitor(writer, className, sites, type -> sizes.estimate(type, loader)), 0);
    return writer.toByteArray();
  }
}
