// External 64-bit ids -> dense 32-bit indexes in first-seen order.
// Open addressing with linear probing; a slot holds index + 1 (0 = empty) and the key is read back from
// `ids`, which doubles as the index -> id table, so each id is stored once.
import { allocZeroed, free, grownCapacity, resize } from "./memory";

const MIN_SLOTS: u32 = 1024;

@unmanaged
export class IdMap {
  slots: usize = 0;
  slotShift: u32 = 0; // 64 - log2(slot count), for Fibonacci hashing
  ids: usize = 0;
  idCapacity: u32 = 0;
  count: u32 = 0;

  constructor() {
    this.slots = allocZeroed(<usize>MIN_SLOTS << 2);
    this.slotShift = 64 - 10;
  }

  @inline slotCount(): u32 {
    return <u32>1 << (64 - this.slotShift);
  }

  @inline idAt(index: u32): u64 {
    return load<u64>(this.ids + (<usize>index << 3));
  }

  /** Where the search for `id` starts (for touching). */
  @inline homeSlot(id: u64): usize {
    return this.slots + (<usize>(<u32>((id * 0x9E3779B97F4A7C15) >> this.slotShift)) << 2);
  }

  /** Where the id of the entry in `slot` is stored (for touching); the first id's for an empty slot. */
  @inline storedIdAddress(slot: usize): usize {
    const entry = load<u32>(slot);
    return this.ids + (<usize>(entry == 0 ? 0 : entry - 1) << 3);
  }

  /** The dense index of `id`, or -1 when it was never seen. */
  find(id: u64): i32 {
    const mask = this.slotCount() - 1;
    let slot = <u32>((id * 0x9E3779B97F4A7C15) >> this.slotShift);
    while (true) {
      const entry = load<u32>(this.slots + (<usize>slot << 2));
      if (entry == 0) return -1;
      if (this.idAt(entry - 1) == id) return <i32>(entry - 1);
      slot = (slot + 1) & mask;
    }
  }

  /** The dense index of `id`, assigning the next one when it is new. */
  findOrAdd(id: u64): u32 {
    const mask = this.slotCount() - 1;
    let slot = <u32>((id * 0x9E3779B97F4A7C15) >> this.slotShift);
    while (true) {
      const entry = load<u32>(this.slots + (<usize>slot << 2));
      if (entry == 0) break;
      if (this.idAt(entry - 1) == id) return entry - 1;
      slot = (slot + 1) & mask;
    }
    const index = this.count;
    if (index == this.idCapacity) {
      const capacity = grownCapacity(this.idCapacity, index + 1, 1024);
      this.ids = resize(this.ids, <usize>this.idCapacity << 3, <usize>capacity << 3);
      this.idCapacity = capacity;
    }
    store<u64>(this.ids + (<usize>index << 3), id);
    store<u32>(this.slots + (<usize>slot << 2), index + 1);
    this.count = index + 1;
    // Keep the load factor at most 2/3 so probe runs stay short.
    if (this.count * 3 > this.slotCount() * 2) this.rehash();
    return index;
  }

  private rehash(): void {
    free(this.slots);
    this.slotShift -= 1;
    const slotCount = this.slotCount();
    const mask = slotCount - 1;
    this.slots = allocZeroed(<usize>slotCount << 2);
    for (let index: u32 = 0; index < this.count; index++) {
      let slot = <u32>((this.idAt(index) * 0x9E3779B97F4A7C15) >> this.slotShift);
      while (load<u32>(this.slots + (<usize>slot << 2)) != 0) slot = (slot + 1) & mask;
      store<u32>(this.slots + (<usize>slot << 2), index + 1);
    }
  }

  bytes(): usize {
    return (<usize>this.slotCount() << 2) + (<usize>this.idCapacity << 3);
  }
}
