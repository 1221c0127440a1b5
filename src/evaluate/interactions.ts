// The compact in-memory form of interaction data that the evaluation works on: users and items by
// dense index (0..n-1, in order of first appearance), each user's distinct items with play counts,
// and, for data with timestamps, each user's events in time order.

/** One user's plays in time order: item indices and epoch ms, of equal length. */
export interface TimedEvents {
  items: Int32Array;
  timestamps: Float64Array;
}

export interface UserHistory {
  /** Distinct items (dense indices), ascending. */
  items: Int32Array;
  /** Plays of items[i]. */
  plays: Float64Array;
  /** Present for data with timestamps. */
  events?: TimedEvents;
}

export interface Interactions {
  /** Dense user index -> the data's user id. */
  userIds: number[];
  /** Dense item index -> the data's item id. */
  itemIds: number[];
  users: UserHistory[];
}

/** Collects (user, item, plays[, timestamp]) rows into `Interactions`; repeated pairs add up. */
export class InteractionsBuilder {
  private readonly userIndex = new Map<number, number>();
  private readonly itemIndex = new Map<number, number>();
  private readonly userIds: number[] = [];
  private readonly itemIds: number[] = [];
  private readonly plays: Array<Map<number, number>> = [];
  private readonly events: Array<{ items: number[]; timestamps: number[] }> = [];

  /** One row of plays of an item by a user. */
  add(userId: number, itemId: number, plays: number): void {
    const userPlays = this.playsOf(this.user(userId));
    const item = this.item(itemId);
    userPlays.set(item, (userPlays.get(item) ?? 0) + plays);
  }

  /** One timed play. */
  addEvent(userId: number, itemId: number, timestamp: number): void {
    const user = this.user(userId);
    const item = this.item(itemId);
    const plays = this.playsOf(user);
    plays.set(item, (plays.get(item) ?? 0) + 1);
    const events = (this.events[user] ??= { items: [], timestamps: [] });
    events.items.push(item);
    events.timestamps.push(timestamp);
  }

  build(): Interactions {
    const users = this.plays.map((plays, user) => {
      const history = historyOf(plays);
      const events = this.events[user];
      return events === undefined ? history : { ...history, events: timeOrdered(events) };
    });
    return { userIds: this.userIds, itemIds: this.itemIds, users };
  }

  private user(id: number): number {
    let index = this.userIndex.get(id);
    if (index === undefined) {
      index = this.userIds.push(id) - 1;
      this.userIndex.set(id, index);
      this.plays.push(new Map());
    }
    return index;
  }

  private item(id: number): number {
    let index = this.itemIndex.get(id);
    if (index === undefined) {
      index = this.itemIds.push(id) - 1;
      this.itemIndex.set(id, index);
    }
    return index;
  }

  private playsOf(user: number): Map<number, number> {
    return this.plays[user]!;
  }
}

/** A user's distinct items, ascending, with their plays. */
export function historyOf(plays: ReadonlyMap<number, number>): UserHistory {
  const items = Int32Array.from(plays.keys()).sort();
  return { items, plays: Float64Array.from(items, (item) => plays.get(item)!) };
}

/** Events sorted by time; equal timestamps keep the order they were read in (a stable sort). */
function timeOrdered(events: { items: number[]; timestamps: number[] }): TimedEvents {
  const order = events.timestamps.map((_, i) => i).sort((a, b) => events.timestamps[a]! - events.timestamps[b]! || a - b);
  return { items: Int32Array.from(order, (i) => events.items[i]!), timestamps: Float64Array.from(order, (i) => events.timestamps[i]!) };
}
