// Exact play counts per (user, item): open addressing keyed by the pair, split into SHARDS tables by
// the top bits of the key's hash. A table grows by doubling, which needs the old and the new table at
// once; split, each growth needs 1/SHARDS of what one table's would, so the memory of play counts
// peaks barely above what they hold.
// Entry, 12 bytes: key (user + 1) << 32 | item as u64 (0 = empty), count as u32.
import { allocZeroed } from "./memory";

const ENTRY_BYTES: usize = 12;
const SHARD_BITS: u32 = 4;
const SHARDS: u32 = 1 << SHARD_BITS;
const MIN_ENTRIES_LOG: u32 = 6;
// Shard record, 12 bytes: table address, log2 of its entry count, entries in use.
const SHARD_TABLE: usize = 0;
const SHARD_LOG: usize = 4;
const SHARD_SIZE: usize = 8;
const SHARD_BYTES: usize = 12;

@inline function pairKey(user: u32, item: u32): u64 {
  return ((<u64>user + 1) << 32) | <u64>item;
}

/** Fibonacci hashing: the top SHARD_BITS bits pick the shard, the next ones the home entry. */
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

  constructor() {
    for (let shard: u32 = 0; shard < SHARDS; shard++) {
      const record = this.shards + <usize>shard * SHARD_BYTES;
      store<u32>(record, <u32>allocZeroed(ENTRY_BYTES << MIN_ENTRIES_LOG), SHARD_TABLE);
      store<u32>(record, MIN_ENTRIES_LOG, SHARD_LOG);
    }
    this.entryBytes = <usize>SHARDS * (ENTRY_BYTES << MIN_ENTRIES_LOG);
  }

  /** Where the search for the pair starts (for touching). */
  @inline homeEntry(user: u32, item: u32): usize {
    const hash = hashOf(pairKey(user, item));
    return homeOf(this.shards + shardOf(hash), hash);
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
    // Keep the load factor at most 2/3 so probe runs stay short.
    if (size * 3 > (<u32>1 << load<u32>(record, SHARD_LOG)) * 2) this.grow(record);
    return 1;
  }

  /** Plays of `item` by `user` (0 when never). */
  count(user: u32, item: u32): u32 {
    const key = pairKey(user, item);
    const hash = hashOf(key);
    const entry = find(this.shards + shardOf(hash), key, hash);
    return load<u64>(entry) == key ? load<u32>(entry, 8) : 0;
  }

  /** Doubles one shard's table. */
  private grow(record: usize): void {
    const oldTable = <usize>load<u32>(record, SHARD_TABLE);
    const oldLog = load<u32>(record, SHARD_LOG);
    store<u32>(record, <u32>allocZeroed(ENTRY_BYTES << (oldLog + 1)), SHARD_TABLE);
    store<u32>(record, oldLog + 1, SHARD_LOG);
    for (let slot: u32 = 0; slot < (<u32>1 << oldLog); slot++) {
      const entry = oldTable + <usize>slot * ENTRY_BYTES;
      const key = load<u64>(entry);
      if (key == 0) continue;
      const target = find(record, key, hashOf(key));
      store<u64>(target, key);
      store<u32>(target, load<u32>(entry, 8), 8);
    }
    heap.free(oldTable);
    this.entryBytes += ENTRY_BYTES << oldLog;
  }

  bytes(): usize {
    return this.entryBytes + <usize>SHARDS * SHARD_BYTES;
  }
}

@inline function homeSlot(record: usize, hash: u64): u32 {
  return <u32>((hash << SHARD_BITS) >> (64 - load<u32>(record, SHARD_LOG)));
}

@inline function homeOf(record: usize, hash: u64): usize {
  return <usize>load<u32>(record, SHARD_TABLE) + <usize>homeSlot(record, hash) * ENTRY_BYTES;
}

/** The entry of the shard holding `key`, or the empty entry where it would go. */
@inline function find(record: usize, key: u64, hash: u64): usize {
  const table = <usize>load<u32>(record, SHARD_TABLE);
  const mask = (<u32>1 << load<u32>(record, SHARD_LOG)) - 1;
  let slot = homeSlot(record, hash);
  while (true) {
    const entry = table + <usize>slot * ENTRY_BYTES;
    const stored = load<u64>(entry);
    if (stored == key || stored == 0) return entry;
    slot = (slot + 1) & mask;
  }
}
