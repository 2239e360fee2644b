package io.memwatch.agent.hook;

/**
 * Where a due sample goes. Lives on the bootstrap class path beside {@link AllocationHook}, so
 * that code in any class loader can reach the hook; the agent implements it.
 */
public interface AllocationSink {
  /**
   * Called on the allocating thread for a sampled allocation. Must not throw and must not block.
   *
   * @param allocated the new object or array, or null where it could not be captured
   * @param site the allocation site's id
   * @param estimatedBytes the size the sampler counted for this allocation
   */
  void sampled(Object allocated, int site, long estimatedBytes);
}
