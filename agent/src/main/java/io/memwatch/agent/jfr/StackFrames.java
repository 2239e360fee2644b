package io.memwatch.agent.jfr;

/** A sampled allocation's stack, top (the allocating frame) first: what {@link SiteResolver} reads of it. */
interface StackFrames {
  int size();

  /** The binary name of the frame's class: {@code com.example.Cache$Entry}. */
  String className(int frame);

  String methodName(int frame);

  /** The source line, or -1 where the JVM does not know it. */
  int line(int frame);

  /** A frame of the JVM's own making (lambda forms, a lambda's hidden class): never a site. */
  boolean hidden(int frame);
}
