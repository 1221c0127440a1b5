// Memory for the delta's per-node vectors, whose capacities are powers of two. Small vectors are
// carved from pages of the same size as the base's (assembly/edgepages.ts); a vector that moves to
// a larger one leaves its old block on a free list of its size, for the next vector of that size,
// so the delta's memory stays within about twice its edges. Large vectors are heap blocks of their
// own. After a merge every block is returned at once, and the pages go on the free page list
// (memory.ts) for the base to grow into.
import { PAGE_BYTES, PAGE_EDGES } from "./edgepages";
import { alloc, allocPage, allocZeroed, free, freePage, resize } from "./memory";

/** Size classes carved from pages: 1 to 2^(SMALL_CLASSES - 1) slots; larger vectors are heap blocks. */
const SMALL_CLASSES: u32 = 13;
const LARGEST_SMALL: u32 = 1 << (SMALL_CLASSES - 1);

/** Slots of the vector that holds `length` edges: the next power of two. */
@inline export function vectorCapacity(length: u32): u32 {
  return length <= 1 ? 1 : <u32>1 << (32 - clz(length - 1));
}

@unmanaged
export class DeltaArena {
  /** Page addresses, one usize each. */
  pages: usize = 0;
  pagesCapacity: u32 = 0;
  pageCount: u32 = 0;
  /** Free space of the last page. */
  top: usize = 0;
  end: usize = 0;
  /** Per size class, the first free block (its first word links the next); 0 = none. */
  freeLists: usize = allocZeroed(<usize>SMALL_CLASSES << alignof<usize>());
  largeBytes: usize = 0;

  /** A block of `slots` u32s, a power of two. */
  allocate(slots: u32): usize {
    if (slots > LARGEST_SMALL) {
      this.largeBytes += <usize>slots << 2;
      return alloc(<usize>slots << 2);
    }
    const list = this.freeList(slots);
    const free = load<usize>(list);
    if (free != 0) {
      store<usize>(list, load<usize>(free));
      return free;
    }
    const bytes = <usize>slots << 2;
    if (this.top + bytes > this.end) this.newPage();
    const block = this.top;
    this.top += bytes;
    return block;
  }

  /** Takes back the block of a vector of `slots` u32s that is no longer used. */
  release(block: usize, slots: u32): void {
    if (slots > LARGEST_SMALL) {
      this.largeBytes -= <usize>slots << 2;
      free(block);
      return;
    }
    const list = this.freeList(slots);
    store<usize>(block, load<usize>(list));
    store<usize>(list, block);
  }

  /** Forgets every small block and frees the pages; large blocks must have been released. */
  reset(): void {
    for (let page: u32 = 0; page < this.pageCount; page++) freePage(load<usize>(this.pages + (<usize>page << alignof<usize>())));
    this.pageCount = 0;
    this.top = 0;
    this.end = 0;
    memory.fill(this.freeLists, 0, <usize>SMALL_CLASSES << alignof<usize>());
  }

  @inline private freeList(slots: u32): usize {
    return this.freeLists + (<usize>ctz(slots) << alignof<usize>());
  }

  /** Starts a new page, putting the rest of the last one on the free lists in power-of-two blocks. */
  private newPage(): void {
    let rest = <u32>((this.end - this.top) >> 2);
    while (rest > 0) {
      const slots = <u32>1 << (31 - clz(rest));
      this.release(this.top, slots);
      this.top += <usize>slots << 2;
      rest -= slots;
    }
    if (this.pageCount == this.pagesCapacity) {
      const capacity = max<u32>(16, this.pagesCapacity << 1);
      this.pages = resize(this.pages, <usize>this.pagesCapacity << alignof<usize>(), <usize>capacity << alignof<usize>());
      this.pagesCapacity = capacity;
    }
    const page = allocPage(PAGE_BYTES);
    store<usize>(this.pages + (<usize>this.pageCount << alignof<usize>()), page);
    this.pageCount++;
    this.top = page;
    this.end = page + (<usize>PAGE_EDGES << 2);
  }

  bytes(): usize {
    return <usize>this.pageCount * PAGE_BYTES + (<usize>this.pagesCapacity << alignof<usize>()) + this.largeBytes;
  }
}
