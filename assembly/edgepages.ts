// A growable array of u32 edge targets kept in fixed-size pages rather than one block. Growing it
// adds pages and shrinking it frees them, so nothing is ever copied to a larger block: a block that
// moves needs the old and the new copy at once, and leaves a hole that a larger generation cannot use.
// Every page has the same size, so a page freed by one array is reused exactly by any other (from
// the free page list of memory.ts).
import { allocPage, freePage, resize } from "./memory";

/** Edges per page (256 KiB): small enough to waste little at an array's end, large enough that the
 *  page table of a 100M-edge array (6 KiB) stays in cache. */
export const PAGE_SHIFT: u32 = 16;
export const PAGE_EDGES: u32 = 1 << PAGE_SHIFT;
const PAGE_MASK: u32 = PAGE_EDGES - 1;
export const PAGE_BYTES: usize = <usize>PAGE_EDGES << 2;

@unmanaged
export class EdgePages {
  /** Page addresses, one usize each. */
  table: usize = 0;
  tableCapacity: u32 = 0;
  pageCount: u32 = 0;

  /** Address of the edge at `index` (below the capacity). */
  @inline address(index: u32): usize {
    return load<usize>(this.table + (<usize>(index >> PAGE_SHIFT) << alignof<usize>())) + (<usize>(index & PAGE_MASK) << 2);
  }

  /** Makes room for edges [0, count). */
  ensure(count: u32): void {
    const pages = pagesFor(count);
    if (pages > this.tableCapacity) {
      const capacity = max(pages, this.tableCapacity << 1);
      this.table = resize(this.table, <usize>this.tableCapacity << alignof<usize>(), <usize>capacity << alignof<usize>());
      this.tableCapacity = capacity;
    }
    while (this.pageCount < pages) {
      store<usize>(this.table + (<usize>this.pageCount << alignof<usize>()), allocPage(PAGE_BYTES));
      this.pageCount++;
    }
  }

  /** Frees the pages beyond those that edges [0, count) need. */
  shrink(count: u32): void {
    const pages = pagesFor(count);
    while (this.pageCount > pages) {
      this.pageCount--;
      freePage(load<usize>(this.table + (<usize>this.pageCount << alignof<usize>())));
    }
  }

  /** Moves edges [from, from + count) to [to, to + count), to >= from: from the end, piece by piece
   *  within pages, so no edge is overwritten before it is moved. */
  moveUp(to: u32, from: u32, count: u32): void {
    while (count > 0) {
      const lastFrom = from + count - 1;
      const lastTo = to + count - 1;
      const piece = min(count, min((lastFrom & PAGE_MASK) + 1, (lastTo & PAGE_MASK) + 1));
      count -= piece;
      memory.copy(this.address(to + count), this.address(from + count), <usize>piece << 2);
    }
  }

  /** Moves edges [from, from + count) to [to, to + count), to <= from: from the start. */
  moveDown(to: u32, from: u32, count: u32): void {
    while (count > 0) {
      const piece = min(count, min(PAGE_EDGES - (from & PAGE_MASK), PAGE_EDGES - (to & PAGE_MASK)));
      memory.copy(this.address(to), this.address(from), <usize>piece << 2);
      to += piece;
      from += piece;
      count -= piece;
    }
  }

  /** Copies `count` edges from contiguous memory at `source` to [to, to + count). */
  write(to: u32, source: usize, count: u32): void {
    while (count > 0) {
      const piece = min(count, PAGE_EDGES - (to & PAGE_MASK));
      memory.copy(this.address(to), source, <usize>piece << 2);
      source += <usize>piece << 2;
      to += piece;
      count -= piece;
    }
  }

  bytes(): usize {
    return <usize>this.pageCount * PAGE_BYTES + (<usize>this.tableCapacity << alignof<usize>());
  }
}

@inline function pagesFor(count: u32): u32 {
  return (count + PAGE_MASK) >> PAGE_SHIFT;
}
