package io.memwatch.agent.instrument;

import io.memwatch.collector.sites.Site;
import io.memwatch.collector.sites.SiteRegistry;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.ToIntFunction;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;

/**
 * Inserts a call to {@code AllocationHook} right after each allocation in a method:
 * <ul>
 *   <li>{@code new T}: after the matching constructor call returns, when the object is usable, with
 *       the fresh reference (javac's {@code new T; dup; ...; invokespecial T.<init>} leaves it on top);
 *   <li>{@code newarray}, {@code anewarray}: right after, with the array and its length;
 *   <li>{@code multianewarray}: right after, with the outer array.
 * </ul>
 * Each inserted sequence is straight-line and leaves the operand stack as it was, so the method's
 * stack map frames stay valid; it needs at most {@link #EXTRA_STACK} more stack slots.
 */
final class AllocationSiteMethodVisitor extends MethodVisitor {
  static final String HOOK = "io/memwatch/agent/hook/AllocationHook";
  static final int EXTRA_STACK = 4;

  /** A {@code new} whose constructor call has not come yet. */
  private static final class PendingNew {
    final String type;
    final int line;
    boolean referenceKept;

    PendingNew(String type, int line) {
      this.type = type;
      this.line = line;
    }
  }

  private final String className;
  private final String methodName;
  private final String sourceFile;
  private final SiteRegistry sites;
  private final ToIntFunction<String> objectSize;
  private final Deque<PendingNew> pendingNews = new ArrayDeque<>();
  private int line = -1;
  private boolean previousWasNew;

  AllocationSiteMethodVisitor(MethodVisitor next, String className, String methodName, String sourceFile,
      SiteRegistry sites, ToIntFunction<String> objectSize) {
    super(Opcodes.ASM9, next);
    this.className = className;
    this.methodName = methodName;
    this.sourceFile = sourceFile;
    this.sites = sites;
    this.objectSize = objectSize;
  }

  @Override
  public void visitLineNumber(int line, Label start) {
    this.line = line;
    super.visitLineNumber(line, start);
  }

  @Override
  public void visitTypeInsn(int opcode, String type) {
    super.visitTypeInsn(opcode, type);
    if (opcode == Opcodes.NEW) {
      pendingNews.push(new PendingNew(type, line));
      previousWasNew = true;
      return;
    }
    previousWasNew = false;
    if (opcode == Opcodes.ANEWARRAY) {
      String arrayType = Type.getObjectType(type).getClassName() + "[]";
      afterArray(4, register(arrayType, line)); // a reference is 4 bytes with compressed oops
    }
  }

  @Override
  public void visitInsn(int opcode) {
    if (opcode == Opcodes.DUP && previousWasNew) {
      pendingNews.peek().referenceKept = true;
    }
    previousWasNew = false;
    super.visitInsn(opcode);
  }

  @Override
  public void visitIntInsn(int opcode, int operand) {
    previousWasNew = false;
    super.visitIntInsn(opcode, operand);
    if (opcode == Opcodes.NEWARRAY) {
      afterArray(elementBytes(operand), register(primitiveName(operand) + "[]", line));
    }
  }

  @Override
  public void visitMultiANewArrayInsn(String descriptor, int dimensions) {
    previousWasNew = false;
    super.visitMultiANewArrayInsn(descriptor, dimensions);
    int site = register(Type.getType(descriptor).getClassName(), line);
    super.visitInsn(Opcodes.DUP);
    push(site);
    super.visitMethodInsn(Opcodes.INVOKESTATIC, HOOK, "multiArray", "(Ljava/lang/Object;I)V", false);
  }

  @Override
  public void visitMethodInsn(int opcode, String owner, String name, String descriptor, boolean isInterface) {
    previousWasNew = false;
    super.visitMethodInsn(opcode, owner, name, descriptor, isInterface);
    if (opcode != Opcodes.INVOKESPECIAL || !name.equals("<init>") || pendingNews.isEmpty()
        || !pendingNews.peek().type.equals(owner)) {
      return; // a super() or this() call, or bytecode not shaped like javac's: nothing to pair
    }
    PendingNew created = pendingNews.pop();
    String typeName = Type.getObjectType(owner).getClassName();
    int site = register(typeName, created.line);
    if (created.referenceKept) {
      super.visitInsn(Opcodes.DUP);
    } else {
      super.visitInsn(Opcodes.ACONST_NULL); // counted, but the object cannot be followed
    }
    push(objectSize.applyAsInt(owner)); // the internal name: java/util/ArrayList
    push(site);
    super.visitMethodInsn(Opcodes.INVOKESTATIC, HOOK, "object", "(Ljava/lang/Object;II)V", false);
  }

  @Override
  public void visitFieldInsn(int opcode, String owner, String name, String descriptor) {
    previousWasNew = false;
    super.visitFieldInsn(opcode, owner, name, descriptor);
  }

  @Override
  public void visitVarInsn(int opcode, int varIndex) {
    previousWasNew = false;
    super.visitVarInsn(opcode, varIndex);
  }

  @Override
  public void visitLdcInsn(Object value) {
    previousWasNew = false;
    super.visitLdcInsn(value);
  }

  @Override
  public void visitJumpInsn(int opcode, Label label) {
    previousWasNew = false;
    super.visitJumpInsn(opcode, label);
  }

  @Override
  public void visitIincInsn(int varIndex, int increment) {
    previousWasNew = false;
    super.visitIincInsn(varIndex, increment);
  }

  @Override
  public void visitTableSwitchInsn(int min, int max, Label dflt, Label... labels) {
    previousWasNew = false;
    super.visitTableSwitchInsn(min, max, dflt, labels);
  }

  @Override
  public void visitLookupSwitchInsn(Label dflt, int[] keys, Label[] labels) {
    previousWasNew = false;
    super.visitLookupSwitchInsn(dflt, keys, labels);
  }

  @Override
  public void visitInvokeDynamicInsn(String name, String descriptor, net.bytebuddy.jar.asm.Handle bootstrap,
      Object... arguments) {
    previousWasNew = false;
    super.visitInvokeDynamicInsn(name, descriptor, bootstrap, arguments);
  }

  @Override
  public void visitMaxs(int maxStack, int maxLocals) {
    super.visitMaxs(maxStack + EXTRA_STACK, maxLocals);
  }

  /** Stack: [..., array] to [..., array], calling array(array, array.length, elementBytes, site). */
  private void afterArray(int elementBytes, int site) {
    super.visitInsn(Opcodes.DUP);
    super.visitInsn(Opcodes.DUP);
    super.visitInsn(Opcodes.ARRAYLENGTH);
    push(elementBytes);
    push(site);
    super.visitMethodInsn(Opcodes.INVOKESTATIC, HOOK, "array", "(Ljava/lang/Object;III)V", false);
  }

  private int register(String type, int atLine) {
    return sites.register(new Site(className, methodName, sourceFile, atLine, type));
  }

  private void push(int value) {
    if (value >= -1 && value <= 5) {
      super.visitInsn(Opcodes.ICONST_0 + value);
    } else if (value >= Byte.MIN_VALUE && value <= Byte.MAX_VALUE) {
      super.visitIntInsn(Opcodes.BIPUSH, value);
    } else if (value >= Short.MIN_VALUE && value <= Short.MAX_VALUE) {
      super.visitIntInsn(Opcodes.SIPUSH, value);
    } else {
      super.visitLdcInsn(value);
    }
  }

  private static int elementBytes(int arrayType) {
    switch (arrayType) {
      case Opcodes.T_LONG: case Opcodes.T_DOUBLE: return 8;
      case Opcodes.T_INT: case Opcodes.T_FLOAT: return 4;
      case Opcodes.T_SHORT: case Opcodes.T_CHAR: return 2;
      default: return 1;
    }
  }

  private static String primitiveName(int arrayType) {
    switch (arrayType) {
      case Opcodes.T_BOOLEAN: return "boolean";
      case Opcodes.T_CHAR: return "char";
      case Opcodes.T_FLOAT: return "float";
      case Opcodes.T_DOUBLE: return "double";
      case Opcodes.T_BYTE: return "byte";
      case Opcodes.T_SHORT: return "short";
      case Opcodes.T_INT: return "int";
      default: return "long";
    }
  }
}
