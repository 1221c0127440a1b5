// The parallel ingest (src/engine/ingest-helper.ts): a store that applies large calls on two threads
// holds exactly what a store on one thread holds (profiles, charts, play counts, every node's edges in
// order, recommendations for a fixed seed), unbounded and with segments dropped; it falls back to one
// thread when its helper is gone; small calls never start the helper.
import { describe, expect, it } from "vitest";
import { ProfileStore } from "../src/index.js";
import type { WasmEngine } from "../src/engine/wasm-engine.js";
import { FIELDS, type ListeningEvent } from "../src/types.js";
import { randomEvents } from "./helpers/random-events.js";
import { engineOf } from "./helpers/store-engine.js";

const SIZES = { users: 3000, artists: 2000, albums: 6000, tracks: 20_000 };
/** Enough calls over the merge threshold (65,536 edges) for several merges, in windows above
 *  PARALLEL_MIN_EVENTS (512) and one below. */
const CALL_SIZES = [20_000, 70_000, 5_000, 100, 40_000, 65_536, 30_000];

function wasmEngine(store: ProfileStore): WasmEngine {
  return engineOf(store) as WasmEngine;
}

/** Waits until the store's helper thread, started by its first large call, can take a part. */
async function helperReady(store: ProfileStore): Promise<void> {
  const helper = () => (wasmEngine(store) as unknown as { helper?: { ready: boolean } }).helper;
  for (let waited = 0; !helper()?.ready; waited += 10) {
    if (waited > 10_000) throw new Error("the ingest helper did not start in 10 s");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function* calls(events: ListeningEvent[]): Generator<ListeningEvent[]> {
  for (let start = 0, i = 0; start < events.length; start += CALL_SIZES[i % CALL_SIZES.length]!, i++) {
    yield events.slice(start, start + CALL_SIZES[i % CALL_SIZES.length]!);
  }
}

/** Everything a reader can see of the store, for the users and items of `events`. */
function contents(store: ProfileStore, events: ListeningEvent[]): unknown {
  const engine = engineOf(store);
  const users = [...new Set(events.map((e) => e.userId))];
  const items = { ARTIST: new Set(events.map((e) => e.artistId)), ALBUM: new Set(events.map((e) => e.albumId)), TRACK: new Set(events.map((e) => e.trackId)) };
  return {
    stats: { users: store.stats().users, fields: store.stats().fields },
    users: users.map((userId) => ({
      profile: store.profile(userId),
      fields: FIELDS.map((field) => ({
        chart: store.charts(userId, field).topK,
        edges: engine.neighbours(field, "user", userId),
      })),
    })),
    items: FIELDS.map((field) => [...items[field]].map((id) => engine.neighbours(field, "item", id))),
    plays: events.slice(0, 2000).map((e) => store.playCount(e.userId, "TRACK", e.trackId)),
    recommendations: users.slice(0, 20).map((userId) => [
      store.recommend(userId, "ARTIST", { seed: 7 }),
      store.recommend(userId, "TRACK", { preset: "quality", seed: 7 }),
    ]),
  };
}

describe.each([
  { name: "unbounded", maxEdgesPerGraph: 0, seed: 31 },
  // Segments of 50,000 edges: the stream drops several.
  { name: "bounded to 200,000 edges per graph", maxEdgesPerGraph: 200_000, seed: 32 },
])("two ingest threads against one: $name", ({ maxEdgesPerGraph, seed }) => {
  it("hold the same profiles, charts, play counts, edges in order and recommendations", async () => {
    const events = randomEvents(400_000, seed, SIZES);
    const one = await ProfileStore.create({ maxEdgesPerGraph, ingestThreads: 1 });
    const two = await ProfileStore.create({ maxEdgesPerGraph, ingestThreads: 2 });
    try {
      let first = true;
      for (const call of calls(events)) {
        one.ingest(call);
        two.ingest(call);
        if (first) await helperReady(two);
        first = false;
      }
      expect(wasmEngine(one).parallelWindows).toBe(0);
      // Every window of 512 events or more after the first call: the 100-event call stays on one thread.
      expect(wasmEngine(two).parallelWindows).toBeGreaterThan(5);
      expect(contents(two, events)).toEqual(contents(one, events));
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });
});

describe("the ingest helper", () => {
  it("is never started by calls below 4,096 events", async () => {
    const store = await ProfileStore.create({ ingestThreads: 2 });
    for (let start = 0, events = randomEvents(20_000, 3); start < events.length; start += 4095) store.ingest(events.slice(start, start + 4095));
    expect((wasmEngine(store) as unknown as { helper?: unknown }).helper).toBeUndefined();
    await store.close();
  });

  it("when its thread is gone, the store goes on on one thread and loses nothing", async () => {
    const events = randomEvents(200_000, 4, SIZES);
    const one = await ProfileStore.create({ ingestThreads: 1 });
    const two = await ProfileStore.create({ ingestThreads: 2 });
    const [head, tail] = [events.slice(0, 100_000), events.slice(100_000)];
    one.ingest(head);
    two.ingest(head);
    await helperReady(two);
    const helper = (wasmEngine(two) as unknown as { helper: { close(): Promise<void>; ready: boolean } }).helper;
    await helper.close();
    expect(helper.ready).toBe(false);
    const before = wasmEngine(two).parallelWindows;
    one.ingest(tail);
    two.ingest(tail);
    expect(wasmEngine(two).parallelWindows).toBe(before);
    expect(contents(two, events)).toEqual(contents(one, events));
    await Promise.all([one.close(), two.close()]);
  });

  it("is an option of the wasm engine only, 1 or 2", async () => {
    await expect(ProfileStore.create({ engine: "reference", ingestThreads: 2 })).rejects.toThrow(/ingestThreads.*1 with the reference engine/);
    await expect(ProfileStore.create({ ingestThreads: 3 })).rejects.toThrow(/ingestThreads.*between 1 and 2.*3/);
    expect((await ProfileStore.create({ engine: "reference" })).options.ingestThreads).toBe(1);
  });
});
