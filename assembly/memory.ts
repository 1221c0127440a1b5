// Raw growable buffers on the TLSF heap. Kernels keep offsets, not pointers, into buffers that can move.

/** Resizes a heap block from oldBytes to newBytes, zero-filling the new tail. */
export function resize(ptr: usize, oldBytes: usize, newBytes: usize): usize {
  const moved = ptr == 0 ? heap.alloc(newBytes) : heap.realloc(ptr, newBytes);
  if (newBytes > oldBytes) memory.fill(moved + oldBytes, 0, newBytes - oldBytes);
  return moved;
}

/**
 * Reads the byte at `address` so that its cache line is on its way in. wasm has no prefetch; loads
 * issued back to back for a group of rows overlap their cache misses, and the group's real work then
 * finds the lines in cache. The caller sums the results into `touchSink` so the loads are kept.
 */
@inline export function touch(address: usize): u32 {
  return load<u8>(address);
}

/** Allocates a zero-filled heap block. */
export function allocZeroed(bytes: usize): usize {
  const ptr = heap.alloc(bytes);
  memory.fill(ptr, 0, bytes);
  return ptr;
}

/** Next capacity when a buffer holding `needed` elements is full: doubling, at least `minimum`. */
export function grownCapacity(current: u32, needed: u32, minimum: u32): u32 {
  let capacity = max(current, minimum);
  while (capacity < needed) capacity <<= 1;
  return capacity;
}
