// Exact play counts per (user, item): one open-addressing table keyed by the pair.
// Entry, 12 bytes: key (user + 1) << 32 | item as u64 (0 = empty), count as u32.
import { allocZeroed } from "./memory";

const ENTRY_BYTES: usize = 12;
const MIN_ENTRIES: u32 = 4096;

@inline function pairKey(user: u32, item: u32): u64 {
  return ((<u64>user + 1) << 32) | <u64>item;
}

@unmanaged
export class PlayCounts {
  entries: usize = 0;
  shift: u32 = 64 - 12; // 64 - log2(entry count), for Fibonacci hashing
  size: u32 = 0;

  constructor() {
    this.entries = allocZeroed(<usize>MIN_ENTRIES * ENTRY_BYTES);
  }

  @inline capacity(): u32 {
    return <u32>1 << (64 - this.shift);
  }

  /** Where the search for the pair starts (for touching). */
  @inline homeEntry(user: u32, item: u32): usize {
    return this.entries + <usize>(<u32>((pairKey(user, item) * 0x9E3779B97F4A7C15) >> this.shift)) * ENTRY_BYTES;
  }

  /** Adds one play of `item` by `user` and returns the new count. */
  increment(user: u32, item: u32): u32 {
    const key = pairKey(user, item);
    const entry = this.find(key);
    if (load<u64>(entry) == key) {
      const count = load<u32>(entry, 8) + 1;
      store<u32>(entry, count, 8);
      return count;
    }
    store<u64>(entry, key);
    store<u32>(entry, 1, 8);
    this.size++;
    // Keep the load factor at most 2/3 so probe runs stay short.
    if (this.size * 3 > this.capacity() * 2) this.rehash();
    return 1;
  }

  /** Plays of `item` by `user` (0 when never). */
  count(user: u32, item: u32): u32 {
    const key = pairKey(user, item);
    const entry = this.find(key);
    return load<u64>(entry) == key ? load<u32>(entry, 8) : 0;
  }

  /** The entry holding `key`, or the empty entry where it would go. */
  private find(key: u64): usize {
    const mask = this.capacity() - 1;
    let slot = <u32>((key * 0x9E3779B97F4A7C15) >> this.shift);
    while (true) {
      const entry = this.entries + <usize>slot * ENTRY_BYTES;
      const stored = load<u64>(entry);
      if (stored == key || stored == 0) return entry;
      slot = (slot + 1) & mask;
    }
  }

  private rehash(): void {
    const oldEntries = this.entries;
    const oldCapacity = this.capacity();
    this.shift -= 1;
    this.entries = allocZeroed(<usize>this.capacity() * ENTRY_BYTES);
    for (let slot: u32 = 0; slot < oldCapacity; slot++) {
      const entry = oldEntries + <usize>slot * ENTRY_BYTES;
      const key = load<u64>(entry);
      if (key == 0) continue;
      const target = this.find(key);
      store<u64>(target, key);
      store<u32>(target, load<u32>(entry, 8), 8);
    }
    heap.free(oldEntries);
  }

  bytes(): usize {
    return <usize>this.capacity() * ENTRY_BYTES;
  }
}
