package io.memwatch.agent.instrument;

import io.memwatch.collector.sites.SiteRegistry;
import java.util.function.ToIntFunction;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

/** Remembers the class's source file for site names and instruments every method that has code. */
final class AllocationSiteClassVisitor extends ClassVisitor {
  private final String className;
  private final SiteRegistry sites;
  private final ToIntFunction<String> objectSize;
  private String sourceFile;

  AllocationSiteClassVisitor(ClassVisitor next, String className, SiteRegistry sites, ToIntFunction<String> objectSize) {
    super(Opcodes.ASM9, next);
    this.className = className;
    this.sites = sites;
    this.objectSize = objectSize;
  }

  @Override
  public void visitSource(String source, String debug) {
    this.sourceFile = source;
    super.visitSource(source, debug);
  }

  @Override
  public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
    MethodVisitor next = super.visitMethod(access, name, descriptor, signature, exceptions);
    if (next == null || (access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) != 0) {
      return next;
    }
    // visitSource comes before the methods in a class file, so the file is known here.
    return new AllocationSiteMethodVisitor(next, className, name, sourceFile, sites, objectSize);
  }
}
