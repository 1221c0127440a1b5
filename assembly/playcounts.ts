// Exact play counts per (user, item): open addressing keyed by the pair, split into SHARDS tables by
// the top bits of the key's hash. A table grows by half when it is three quarters full, and needs
// the old and the new table at once while it does; split, each growth needs 1/SHARDS of what one
// table's would. Tables of any size (the home entry is the hash scaled to the entry count, not a
// power-of-two mask) keep the memory within 2x of the entries in use instead of 3x.
// Entry, 12 bytes: key (user + 1) << 32 | item as u64 (0 = empty), count as u32.
// Beside it, each user's and each item's number of distinct pairs: the degrees of the graph with one
// edge per pair, which the exact walk weighs by (the graph itself keeps one edge per play).
import { allocZeroed, free, grownCapacity, resize } from "./memory";

const ENTRY_BYTES: usize = 12;
const SHARD_BITS: u32 = 4;
const SHARDS: u32 = 1 << SHARD_BITS;
const MIN_ENTRIES: u32 = 64;
// Shard record, 12 bytes: table address, its entry count, entries in use.
const SHARD_TABLE: usize = 0;
const SHARD_CAPACITY: usize = 4;
const SHARD_SIZE: usize = 8;
const SHARD_BYTES: usize = 12;

@inline function pairKey(user: u32, item: u32): u64 {
  return ((<u64>user + 1) << 32) | <u64>item;
}

/** Fibonacci hashing: the top SHARD_BITS bits pick the shard, the next 32 the home entry. */
@inline function hashOf(key: u64): u64 {
  return key * 0x9E3779B97F4A7C15;
}

@inline function shardOf(hash: u64): usize {
  return <usize>(hash >> (64 - SHARD_BITS)) * SHARD_BYTES;
}

@unmanaged
export class PlayCounts {
  shards: usize = allocZeroed(<usize>SHARDS * SHARD_BYTES);
  entryBytes: usize = 0;
  /** Entries in use: distinct (user, item) pairs. */
  pairs: u32 = 0;
  /** u32 per user and per item: distinct pairs it is part of. */
  userPairs: usize = 0;
  userPairsCapacity: u32 = 0;
  itemPairs: usize = 0;
  itemPairsCapacity: u32 = 0;

  constructor() {
    for (let shard: u32 = 0; shard < SHARDS; shard++) {
      const record = this.shards + <usize>shard * SHARD_BYTES;
      store<u32>(record, <u32>allocZeroed(<usize>MIN_ENTRIES * ENTRY_BYTES), SHARD_TABLE);
      store<u32>(record, MIN_ENTRIES, SHARD_CAPACITY);
    }
    this.entryBytes = <usize>SHARDS * MIN_ENTRIES * ENTRY_BYTES;
  }

  /** Where the search for the pair starts (for touching). */
  @inline homeEntry(user: u32, item: u32): usize {
    const hash = hashOf(pairKey(user, item));
    const record = this.shards + shardOf(hash);
    return <usize>load<u32>(record, SHARD_TABLE) + <usize>homeSlot(record, hash) * ENTRY_BYTES;
  }

  /** Adds one play of `item` by `user` and returns the new count. */
  increment(user: u32, item: u32): u32 {
    const key = pairKey(user, item);
    const hash = hashOf(key);
    const record = this.shards + shardOf(hash);
    const entry = find(record, key, hash);
    if (load<u64>(entry) == key) {
      const count = load<u32>(entry, 8) + 1;
      store<u32>(entry, count, 8);
      return count;
    }
    store<u64>(entry, key);
    store<u32>(entry, 1, 8);
    const size = load<u32>(record, SHARD_SIZE) + 1;
    store<u32>(record, size, SHARD_SIZE);
    this.pairs++;
    this.countPair(user, item);
    // Keep the load factor at most 3/4 so probe runs stay short.
    if (<u64>size * 4 > <u64>load<u32>(record, SHARD_CAPACITY) * 3) this.grow(record);
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
    const hash = hashOf(key);
    const entry = find(this.shards + shardOf(hash), key, hash);
    return load<u64>(entry) == key ? load<u32>(entry, 8) : 0;
  }

  /** Makes one shard's table half as large again. */
  private grow(record: usize): void {
    const oldTable = <usize>load<u32>(record, SHARD_TABLE);
    const oldCapacity = load<u32>(record, SHARD_CAPACITY);
    const capacity = oldCapacity + (oldCapacity >> 1);
    store<u32>(record, <u32>allocZeroed(<usize>capacity * ENTRY_BYTES), SHARD_TABLE);
    store<u32>(record, capacity, SHARD_CAPACITY);
    for (let slot: u32 = 0; slot < oldCapacity; slot++) {
      const entry = oldTable + <usize>slot * ENTRY_BYTES;
      const key = load<u64>(entry);
      if (key == 0) continue;
      const target = find(record, key, hashOf(key));
      store<u64>(target, key);
      store<u32>(target, load<u32>(entry, 8), 8);
    }
    free(oldTable);
    this.entryBytes += <usize>(capacity - oldCapacity) * ENTRY_BYTES;
  }

  bytes(): usize {
    return this.entryBytes + <usize>SHARDS * SHARD_BYTES + ((<usize>this.userPairsCapacity + <usize>this.itemPairsCapacity) << 2);
  }
}

/** The hash's 32 bits below the shard's, scaled to the table's entry count. */
@inline function homeSlot(record: usize, hash: u64): u32 {
  return <u32>(((hash >> (32 - SHARD_BITS)) & 0xffffffff) * <u64>load<u32>(record, SHARD_CAPACITY) >> 32);
}

/** The entry of the shard holding `key`, or the empty entry where it would go. */
@inline function find(record: usize, key: u64, hash: u64): usize {
  const table = <usize>load<u32>(record, SHARD_TABLE);
  const capacity = load<u32>(record, SHARD_CAPACITY);
  let slot = homeSlot(record, hash);
  while (true) {
    const entry = table + <usize>slot * ENTRY_BYTES;
    const stored = load<u64>(entry);
    if (stored == key || stored == 0) return entry;
    slot = slot + 1 == capacity ? 0 : slot + 1;
  }
}
