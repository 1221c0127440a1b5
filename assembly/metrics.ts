// Per-user metrics: play count and first / last listen (event time, epoch ms).
import { grownCapacity, resize } from "./memory";

// Record, 24 bytes: count (u64), first (i64), last (i64).
const RECORD_BYTES: usize = 24;

@unmanaged
export class UserMetrics {
  records: usize = 0;
  capacity: u32 = 0;

  /** Counts one play of `user` at `timestamp`; a record whose count is 0 is a new user's. */
  record(user: u32, timestamp: i64): void {
    if (user >= this.capacity) {
      const capacity = grownCapacity(this.capacity, user + 1, 1024);
      this.records = resize(this.records, <usize>this.capacity * RECORD_BYTES, <usize>capacity * RECORD_BYTES);
      this.capacity = capacity;
    }
    const record = this.records + <usize>user * RECORD_BYTES;
    if (load<u64>(record) == 0) {
      store<u64>(record, 1);
      store<i64>(record, timestamp, 8);
      store<i64>(record, timestamp, 16);
      return;
    }
    store<u64>(record, load<u64>(record) + 1);
    if (timestamp < load<i64>(record, 8)) store<i64>(record, timestamp, 8);
    if (timestamp > load<i64>(record, 16)) store<i64>(record, timestamp, 16);
  }

  /** The user's record, or 0 for a user without one yet (for touching). */
  @inline recordAddress(user: u32): usize {
    return user < this.capacity ? this.address(user) : 0;
  }

  /** Address of the user's record (count u64, first i64, last i64). */
  @inline address(user: u32): usize {
    return this.records + <usize>user * RECORD_BYTES;
  }

  bytes(): usize {
    return <usize>this.capacity * RECORD_BYTES;
  }
}
