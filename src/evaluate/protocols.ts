// Evaluation protocols: each splits the data into the training part (all the recommenders see) and,
// for the users it evaluates, the hidden target items. Fixed seeds, so that a run repeats exactly.
import { Mulberry32 } from "../engine/random.js";
import { historyOf, type Interactions, type TimedEvents, type UserHistory } from "./interactions.js";

export interface Split {
  /** The same users and items (indices) as the data, with the hidden plays removed. */
  training: Interactions;
  /** Evaluated users (indices), ascending. */
  testUsers: number[];
  /** The hidden items of testUsers[i], ascending. */
  targets: Int32Array[];
}

export const PROTOCOLS = ["leave-one-out", "temporal"] as const;
export type Protocol = (typeof PROTOCOLS)[number];

/** Leave-one-out evaluates only users with at least this many distinct items. */
export const LEAVE_ONE_OUT_MIN_ITEMS = 5;
/** The temporal split hides this share of each user's latest events (at least one). */
export const TEMPORAL_HIDDEN_SHARE = 0.1;

/**
 * For each user with at least LEAVE_ONE_OUT_MIN_ITEMS distinct items, in index order, hides one item
 * (all its plays), drawn uniformly with Mulberry32(seed).
 */
export function leaveOneOut(data: Interactions, seed: number): Split {
  const random = new Mulberry32(seed);
  const testUsers: number[] = [];
  const targets: Int32Array[] = [];
  const users = data.users.map((history, user) => {
    if (history.items.length < LEAVE_ONE_OUT_MIN_ITEMS) return history;
    const hidden = random.below(history.items.length);
    testUsers.push(user);
    targets.push(Int32Array.of(history.items[hidden]!));
    return withoutItem(history, hidden);
  });
  return { training: { ...data, users }, testUsers, targets };
}

function withoutItem(history: UserHistory, index: number): UserHistory {
  const keep = (_: number, i: number) => i !== index;
  const hiddenItem = history.items[index]!;
  const events = history.events && eventsWhere(history.events, (i) => history.events!.items[i] !== hiddenItem);
  return { items: history.items.filter(keep), plays: history.plays.filter(keep), ...(events && { events }) };
}

/**
 * For data with timestamps: hides each user's latest TEMPORAL_HIDDEN_SHARE of events (at least one);
 * the targets are the items that occur only in the hidden part. Users left with no target or no
 * training item are not evaluated (their training part is what it is).
 */
export function temporalSplit(data: Interactions): Split {
  const testUsers: number[] = [];
  const targets: Int32Array[] = [];
  const users = data.users.map((history, user) => {
    if (history.events === undefined) throw new Error(`the temporal split needs timestamps, and user ${data.userIds[user]} has none`);
    const count = history.events.items.length;
    const cut = count - Math.max(1, Math.floor(count * TEMPORAL_HIDDEN_SHARE));
    const events = eventsWhere(history.events, (i) => i < cut);
    const training = historyOfEvents(events);
    const hidden = new Set(history.events.items.subarray(cut));
    for (const item of training.items) hidden.delete(item);
    if (hidden.size > 0 && training.items.length > 0) {
      testUsers.push(user);
      targets.push(Int32Array.from(hidden).sort());
    }
    return training;
  });
  return { training: { ...data, users }, testUsers, targets };
}

function eventsWhere(events: TimedEvents, keep: (index: number) => boolean): TimedEvents {
  const rows = Array.from(events.items.keys()).filter(keep);
  return { items: Int32Array.from(rows, (i) => events.items[i]!), timestamps: Float64Array.from(rows, (i) => events.timestamps[i]!) };
}

function historyOfEvents(events: TimedEvents): UserHistory {
  const plays = new Map<number, number>();
  for (const item of events.items) plays.set(item, (plays.get(item) ?? 0) + 1);
  return { ...historyOf(plays), events };
}

export function split(data: Interactions, protocol: Protocol, seed: number): Split {
  return protocol === "leave-one-out" ? leaveOneOut(data, seed) : temporalSplit(data);
}

/** At most `count` of the split's test users, drawn with Mulberry32(seed), kept in ascending order. */
export function sampleTestUsers(split: Split, count: number, seed: number): Split {
  if (count >= split.testUsers.length) return split;
  const random = new Mulberry32(seed);
  const order = split.testUsers.map((_, i) => i);
  for (let i = 0; i < count; i++) {
    const j = i + random.below(order.length - i);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const chosen = order.slice(0, count).sort((a, b) => a - b);
  return { ...split, testUsers: chosen.map((i) => split.testUsers[i]!), targets: chosen.map((i) => split.targets[i]!) };
}
