package io.memwatch.agent.jfr;

import java.util.List;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;

/** A recorded stack as {@link SiteResolver} reads it. */
record RecordedFrames(List<RecordedFrame> frames) implements StackFrames {
  static RecordedFrames of(RecordedStackTrace stack) {
    return new RecordedFrames(stack == null ? List.of() : stack.getFrames());
  }

  @Override
  public int size() {
    return frames.size();
  }

  @Override
  public String className(int frame) {
    return frames.get(frame).getMethod().getType().getName();
  }

  @Override
  public String methodName(int frame) {
    return frames.get(frame).getMethod().getName();
  }

  @Override
  public int line(int frame) {
    int line = frames.get(frame).getLineNumber();
    return line > 0 ? line : -1;
  }

  @Override
  public boolean hidden(int frame) {
    return frames.get(frame).getMethod().isHidden();
  }
}
