// Listing listeners and hearing applied events: both engines against a naive model on random streams.
import { describe, expect, it } from "vitest";
import { EVENT_WINDOW } from "../assembly/constants.js";
import { ProfileStore, type ListeningEvent, type ListenerOrder, type Profile } from "../src/index.js";
import { randomEvents } from "./helpers/random-events.js";

/** Every user's profile by brute force, ranked as `listeners` ranks them. */
function naiveListeners(events: ListeningEvent[], order: ListenerOrder, limit: number): Profile[] {
  const byUser = new Map<number, Profile>();
  for (const { userId, timestamp } of events) {
    const p = byUser.get(userId) ?? { userId, totalListenCount: 0, firstListenEvent: timestamp, lastListenEvent: timestamp };
    p.totalListenCount++;
    p.firstListenEvent = Math.min(p.firstListenEvent, timestamp);
    p.lastListenEvent = Math.max(p.lastListenEvent, timestamp);
    byUser.set(userId, p);
  }
  const value = (p: Profile) => (order === "RECENT" ? p.lastListenEvent : p.totalListenCount);
  return [...byUser.values()].sort((a, b) => value(b) - value(a) || a.userId - b.userId).slice(0, limit);
}

describe.each(["wasm", "reference"] as const)("%s store", (engine) => {
  it("lists listeners by latest play and by play count, ties by id", async () => {
    for (const seed of [1, 2, 3]) {
      // Coarse timestamps, so that ties occur in both orders.
      const events = randomEvents(5000, seed).map((e) => ({ ...e, timestamp: 1_400_000_000_000 + (e.timestamp % 50) * 1000 }));
      const store = await ProfileStore.create({ engine });
      store.ingest(events);
      for (const order of ["RECENT", "MOST_ACTIVE"] as const) {
        for (const limit of [1, 7, 100]) expect(store.listeners({ order, limit })).toEqual(naiveListeners(events, order, limit));
      }
      expect(store.listeners()).toEqual(naiveListeners(events, "RECENT", 20));
    }
  });

  it("refuses bad listing options, naming them", async () => {
    const store = await ProfileStore.create({ engine });
    expect(() => store.listeners({ limit: 101 })).toThrow("limit must be an integer between 1 and 100, got 101");
    expect(() => store.listeners({ order: "LOUDEST" as never })).toThrow('order must be one of RECENT, MOST_ACTIVE, got "LOUDEST"');
    expect(store.listeners()).toEqual([]);
  });

  it("tells event listeners of every applied event, in order, until they stop", async () => {
    const store = await ProfileStore.create({ engine });
    const heard: number[] = [];
    const stop = store.onEvents((events, count) => {
      for (let i = 0; i < count; i++) heard.push(events.timestamp[i]!);
    });
    const events = randomEvents(EVENT_WINDOW + 10, 4);
    events[3] = { ...events[3]!, userId: -1 }; // rejected events are not heard
    store.ingest(events);
    store.ingest([{ ...events[0]!, timestamp: 7 }]);
    expect(heard).toEqual([...events.filter((_, i) => i !== 3).map((e) => e.timestamp), 7]);
    stop();
    store.ingest(events.slice(0, 5));
    expect(heard).toHaveLength(EVENT_WINDOW + 10);
  });
});
