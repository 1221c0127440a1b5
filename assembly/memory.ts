// Raw growable buffers on the TLSF heap. Kernels keep offsets, not pointers, into buffers that can move.
// Every block comes from here, under a lock: the owning instance and the ingest helper
// (src/engine/ingest-helper.ts), two instances on two threads, allocate from one heap at once.
import { ROOT } from "rt/tlsf";

/** The heap's shared words: the lock (0 free, 1 held), then the first free page (`freePage`). A heap
 *  block, not static data, which every new instance over the memory (a walker thread starting at
 *  any time) would write again. The owning instance allocates it at start; the helper adopts it. */
let heapLock: usize = heap.alloc(2 * sizeof<usize>());
store<i32>(heapLock, 0);
store<usize>(heapLock + sizeof<usize>(), 0);

/** The heap's root, for another instance over this memory to adopt (`adoptHeap`). */
export function heapRoot(): usize {
  return changetype<usize>(ROOT);
}

/** Makes this unstarted instance allocate from the owner's heap (`heapRoot`, `heapLockAddress`). */
export function adoptHeap(root: usize, lock: usize): void {
  ROOT = retyped(ROOT, root);
  heapLock = lock;
}

export function heapLockAddress(): usize {
  return heapLock;
}

/** `address` as the type of `like` (the heap root's class is private to the runtime). */
@inline function retyped<T>(_like: T, address: usize): T {
  return changetype<T>(address);
}

// Held only for one TLSF call, so a waiting thread spins briefly.
@inline function lock(): void {
  while (atomic.cmpxchg<i32>(heapLock, 0, 1) != 0) {}
}
@inline function unlock(): void {
  atomic.store<i32>(heapLock, 0);
}

export function alloc(bytes: usize): usize {
  lock();
  const ptr = heap.alloc(bytes);
  unlock();
  return ptr;
}

export function free(ptr: usize): void {
  lock();
  heap.free(ptr);
  unlock();
}

// Pages (edgepages.ts: the graphs' edge arrays and the delta arenas, all of one size) that are freed
// go on a list of their own, linked through their first word, and are reused before the heap is
// asked. TLSF rounds a request up to the next size class, so it never hands a freed block to a
// request of the same size: freed pages stayed free, about 10% of the memory at 10M events.

/** A page of `bytes`, the one page size: a freed one if there is one. */
export function allocPage(bytes: usize): usize {
  lock();
  const list = heapLock + sizeof<usize>();
  let page = load<usize>(list);
  if (page != 0) store<usize>(list, load<usize>(page));
  else page = heap.alloc(bytes);
  unlock();
  return page;
}

/** Puts a page from `allocPage` on the free list. */
export function freePage(page: usize): void {
  lock();
  const list = heapLock + sizeof<usize>();
  store<usize>(page, load<usize>(list));
  store<usize>(list, page);
  unlock();
}

/** Pages on the free list (a linear walk, for stats). */
export function freePages(): u32 {
  lock();
  let count: u32 = 0;
  for (let page = load<usize>(heapLock + sizeof<usize>()); page != 0; page = load<usize>(page)) count++;
  unlock();
  return count;
}

/** Resizes a heap block from oldBytes to newBytes, zero-filling the new tail. */
export function resize(ptr: usize, oldBytes: usize, newBytes: usize): usize {
  lock();
  const moved = ptr == 0 ? heap.alloc(newBytes) : heap.realloc(ptr, newBytes);
  unlock();
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
  const ptr = alloc(bytes);
  memory.fill(ptr, 0, bytes);
  return ptr;
}

/** Next capacity when a buffer holding `needed` elements is full: doubling, at least `minimum`. */
export function grownCapacity(current: u32, needed: u32, minimum: u32): u32 {
  let capacity = max(current, minimum);
  while (capacity < needed) capacity <<= 1;
  return capacity;
}
