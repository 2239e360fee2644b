package io.memwatch.agent.instrument;

import io.memwatch.collector.sites.SiteRegistry;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.description.field.FieldDescription;
import net.bytebuddy.description.field.FieldList;
import net.bytebuddy.description.method.MethodList;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.implementation.Implementation;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.pool.TypePool;

/**
 * Plugs {@link AllocationSiteClassVisitor} into Byte Buddy. No writer flags: the injected code is
 * straight-line and leaves the stack as it found it, so existing stack map frames stay valid and
 * computing frames (which loads classes from inside the transformer) is never needed.
 */
final class AllocationSiteWrapper implements AsmVisitorWrapper {
  private final SiteRegistry sites;
  private final ObjectSizeEstimator sizes = new ObjectSizeEstimator();

  AllocationSiteWrapper(SiteRegistry sites) {
    this.sites = sites;
  }

  @Override
  public int mergeWriter(int flags) {
    return flags;
  }

  @Override
  public int mergeReader(int flags) {
    return flags;
  }

  @Override
  public ClassVisitor wrap(
      TypeDescription instrumentedType,
      ClassVisitor classVisitor,
      Implementation.Context implementationContext,
      TypePool typePool,
      FieldList<FieldDescription.InDefinedShape> fields,
      MethodList<?> methods,
      int writerFlags,
      int readerFlags) {
    return new AllocationSiteClassVisitor(
        classVisitor, instrumentedType.getName(), sites, name -> sizes.estimate(name, typePool));
  }
}
