// Top-K charts per user, kept exact incrementally: counts only grow by one, so after each play only
// the played item can change rank, and an item pushed out can never rank above the one that took its
// place. Order: count descending, then external id ascending.
// Entry, 8 bytes: item index (u32), count (u32); a user's chart is K entries plus a length.
import { IdMap } from "./idmap";
import { grownCapacity, resize } from "./memory";

@unmanaged
export class Charts {
  size: u32; // K
  entries: usize = 0;
  lengths: usize = 0;
  capacity: u32 = 0; // users

  constructor(size: u32) {
    this.size = size;
  }

  @inline chart(user: u32): usize {
    return this.entries + ((<usize>user * this.size) << 3);
  }

  @inline length(user: u32): u32 {
    return user < this.capacity ? load<u32>(this.lengths + (<usize>user << 2)) : 0;
  }

  /** The user's chart entries, or 0 for a user without a chart yet (for touching). */
  @inline chartAddress(user: u32): usize {
    return user < this.capacity ? this.chart(user) : 0;
  }

  @inline bytesPerChart(): usize {
    return <usize>this.size << 3;
  }

  /** Where the user's chart length is, or 0 (for touching). */
  @inline lengthAddress(user: u32): usize {
    return user < this.capacity ? this.lengths + (<usize>user << 2) : 0;
  }

  /** Records that `user` has now played `item` `count` times. */
  update(user: u32, item: u32, count: u32, itemIds: IdMap): void {
    this.ensureUser(user);
    const chart = this.chart(user);
    const lengthSlot = this.lengths + (<usize>user << 2);
    const length = load<u32>(lengthSlot);
    let position: u32;
    if (length == this.size) {
      // Fast path: a full chart whose last entry beats the new count cannot hold the item or admit it.
      const last = chart + (<usize>(length - 1) << 3);
      const lastCount = load<u32>(last, 4);
      if (count < lastCount) return;
      position = this.find(chart, length, item);
      if (position == length) {
        if (!ranksBefore(count, item, lastCount, load<u32>(last), itemIds)) return;
        position = length - 1;
        store<u32>(last, item);
      }
    } else {
      position = this.find(chart, length, item);
      if (position == length) {
        store<u32>(chart + (<usize>length << 3), item);
        store<u32>(lengthSlot, length + 1);
      }
    }
    store<u32>(chart + (<usize>position << 3), count, 4);
    this.bubbleUp(chart, position, itemIds);
  }

  @inline private find(chart: usize, length: u32, item: u32): u32 {
    let position: u32 = 0;
    while (position < length && load<u32>(chart + (<usize>position << 3)) != item) position++;
    return position;
  }

  private bubbleUp(chart: usize, position: u32, itemIds: IdMap): void {
    const entry = load<u64>(chart + (<usize>position << 3));
    const item = <u32>entry;
    const count = <u32>(entry >> 32);
    while (position > 0) {
      const previous = chart + (<usize>(position - 1) << 3);
      if (!ranksBefore(count, item, load<u32>(previous, 4), load<u32>(previous), itemIds)) break;
      store<u64>(previous + 8, load<u64>(previous));
      position--;
    }
    store<u64>(chart + (<usize>position << 3), entry);
  }

  private ensureUser(user: u32): void {
    if (user < this.capacity) return;
    const capacity = grownCapacity(this.capacity, user + 1, 1024);
    this.entries = resize(this.entries, (<usize>this.capacity * this.size) << 3, (<usize>capacity * this.size) << 3);
    this.lengths = resize(this.lengths, <usize>this.capacity << 2, <usize>capacity << 2);
    this.capacity = capacity;
  }

  bytes(): usize {
    return ((<usize>this.capacity * this.size) << 3) + (<usize>this.capacity << 2);
  }
}

@inline function ranksBefore(count: u32, item: u32, otherCount: u32, otherItem: u32, itemIds: IdMap): bool {
  return count > otherCount || (count == otherCount && itemIds.idAt(item) < itemIds.idAt(otherItem));
}
