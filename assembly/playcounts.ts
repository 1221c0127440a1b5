// Exact play counts per (user, item): one open-addressing table keyed by the pair.
// Entry, 12 bytes: key (user + 1) << 32 | item as u64 (0 = empty), count as u32.
// Beside it, each user's and each item's number of distinct pairs: the degrees of the graph with one
// edge per pair, which the exact walk weighs by (the graph itself keeps one edge per play).
import { allocZeroed, grownCapacity, resize } from "./memory";

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
  /** u32 per user and per item: distinct pairs it is part of. */
  userPairs: usize = 0;
  userPairsCapacity: u32 = 0;
  itemPairs: usize = 0;
  itemPairsCapacity: u32 = 0;

  constructor() {
    this.entries = allocZeroed(<usize>MIN_ENTRIES * ENTRY_BYTES);
  }

  @inline capacity(): u32 {
    return <u32>1 << (64 - this.shift);
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
    this.countPair(user, item);
    // Keep the load factor at most 2/3 so probe runs stay short.
    if (this.size * 3 > this.capacity() * 2) this.rehash();
    return 1;
  }

  private countPair(user: u32, item: u32): void {
    if (user >= this.userPairsCapacity) {
      const capacity = grownCapacity(this.userPairsCapacity, user + 1, 1024);
      this.userPairs = resize(this.userPairs, <usize>this.userPairsCapacity << 2, <usize>capacity << 2);
      this.userPairsCapacity = capacity;
    }
    if (item >= this.itemPairsCapacity) {
      const capacity = grownCapacity(this.itemPairsCapacity, item + 1, 1024);
      this.itemPairs = resize(this.itemPairs, <usize>this.itemPairsCapacity << 2, <usize>capacity << 2);
      this.itemPairsCapacity = capacity;
    }
    const users = this.userPairs + (<usize>user << 2);
    store<u32>(users, load<u32>(users) + 1);
    const items = this.itemPairs + (<usize>item << 2);
    store<u32>(items, load<u32>(items) + 1);
  }

  /** Distinct items `user` played (0 for a user never seen). */
  @inline pairsOfUser(user: u32): u32 {
    return user < this.userPairsCapacity ? load<u32>(this.userPairs + (<usize>user << 2)) : 0;
  }

  /** Distinct users who played `item`. */
  @inline pairsOfItem(item: u32): u32 {
    return item < this.itemPairsCapacity ? load<u32>(this.itemPairs + (<usize>item << 2)) : 0;
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
    return <usize>this.capacity() * ENTRY_BYTES + ((<usize>this.userPairsCapacity + <usize>this.itemPairsCapacity) << 2);
  }
}
