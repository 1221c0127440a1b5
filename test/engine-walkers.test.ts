// Walks on walker threads (ProfileStore option walkerThreads, `recommendAsync`) against the same walks
// on the calling thread: identical results, including while ingest changes the graph under them.
import { afterEach, describe, expect, it } from "vitest";
import { ProfileStore } from "../src/index.js";
import { FIELDS, type ListeningEvent } from "../src/types.js";
import type { RecommendOptions } from "../src/validation.js";
import { randomEvents } from "./helpers/random-events.js";

const stores: ProfileStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
});

async function storeWith(events: ListeningEvent[], options: Parameters<typeof ProfileStore.create>[0] = {}) {
  const store = await ProfileStore.create(options);
  stores.push(store);
  store.ingest(events);
  return store;
}

const SETTINGS: RecommendOptions[] = [
  { walks: 1000, walkLength: 100, seed: 1 },
  { walks: 300, walkLength: 5, resetProbability: 0.5, seed: 2 },
  { walks: 50, walkLength: 1, resetProbability: 0, limit: 3, seed: 3 },
  { preset: "quality", seed: 4 },
  { method: "exact", neighbours: 0, hubCap: 5, edgeWeight: "play", seed: 5 },
];

describe("walker threads", () => {
  it.each([
    { walkerThreads: 1, maxEdgesPerGraph: 0 },
    { walkerThreads: 2, maxEdgesPerGraph: 2000 },
  ])("walk to the same results as the calling thread, in parallel, with %o", async (options) => {
    const events = randomEvents(6000, 11);
    const users = [...new Set(events.map((event) => event.userId))];
    const threaded = await storeWith(events, options);
    const local = await storeWith(events, { maxEdgesPerGraph: options.maxEdgesPerGraph });
    const before = users.map((userId) => [threaded.profile(userId), threaded.charts(userId, "TRACK")]);
    const queries = users.flatMap((userId) => FIELDS.flatMap((field) => SETTINGS.map((setting) => ({ userId, field, setting }))));
    const answers = await Promise.all(queries.map((q) => threaded.recommendAsync(q.userId, q.field, q.setting)));
    let nonEmpty = 0;
    queries.forEach((q, index) => {
      const expected = local.recommend(q.userId, q.field, q.setting);
      nonEmpty += expected.recommendations.length > 0 ? 1 : 0;
      expect(answers[index]).toEqual(expected);
    });
    expect(nonEmpty).toBeGreaterThan(queries.length / 2);
    // Starting the walker threads changed nothing in the store, and it still ingests.
    expect(users.map((userId) => [threaded.profile(userId), threaded.charts(userId, "TRACK")])).toEqual(before);
    const more = randomEvents(500, 12);
    expect(threaded.ingest(more).accepted).toBe(500);
    local.ingest(more);
    expect(await threaded.recommendAsync(users[0]!, "ALBUM", { seed: 9 })).toEqual(local.recommend(users[0]!, "ALBUM", { seed: 9 }));
    expect(await threaded.recommendAsync(123_456_789, "ARTIST")).toEqual({ recommendations: [] });
  });

  it("see the graph as it was before or after each ingest, never in between, while ingest merges and drops segments", async () => {
    const batches = Array.from({ length: 12 }, (_, index) => randomEvents(1500, 100 + index));
    const options = { walkerThreads: 2, maxEdgesPerGraph: 4000 };
    const threaded = await storeWith(batches[0]!, options);
    const mirror = await storeWith(batches[0]!, { maxEdgesPerGraph: 4000 });
    const users = [...new Set(batches[0]!.map((event) => event.userId))].slice(0, 6);
    const queries = users.flatMap((userId) => FIELDS.map((field) => ({ userId, field, setting: { walks: 500, walkLength: 40, seed: userId } })));
    // Per graph state: what each query gives on the calling thread.
    const expectedByState: string[][] = [];
    const inFlight: { query: number; from: number; answer: Promise<unknown> }[] = [];
    for (let state = 0; state < batches.length; state++) {
      expectedByState.push(queries.map((q) => JSON.stringify(mirror.recommend(q.userId, q.field, q.setting))));
      queries.forEach((q, query) => inFlight.push({ query, from: state, answer: threaded.recommendAsync(q.userId, q.field, q.setting) }));
      const next = batches[state + 1];
      if (next) {
        threaded.ingest(next);
        mirror.ingest(next);
      }
    }
    const answers = await Promise.all(inFlight.map((walk) => walk.answer));
    const sawLaterState = inFlight.filter((walk, index) => {
      const answer = JSON.stringify(answers[index]);
      const possible = expectedByState.slice(walk.from).map((expected) => expected[walk.query]);
      expect(possible).toContain(answer);
      return answer !== possible[0];
    });
    // Some walks ran after the ingest that followed their call (else this test proves nothing).
    expect(sawLaterState.length).toBeGreaterThan(0);
  });

  it("are refused with the reference engine or beyond the bound; closing fails the walks not done and refuses new ones", async () => {
    await expect(ProfileStore.create({ engine: "reference", walkerThreads: 1 })).rejects.toThrow(
      "walkerThreads must be 0 with the reference engine (walker threads run the wasm kernels), got 1",
    );
    await expect(ProfileStore.create({ walkerThreads: 65 })).rejects.toThrow("walkerThreads must be an integer between 0 and 64, got 65");
    const store = await ProfileStore.create({ walkerThreads: 1 });
    store.ingest(randomEvents(200, 5));
    const userId = randomEvents(1, 5)[0]!.userId;
    expect((await store.recommendAsync(userId, "ARTIST", { seed: 1 })).recommendations.length).toBeGreaterThan(0);
    const unfinished = Promise.allSettled(Array.from({ length: 20 }, () => store.recommendAsync(userId, "ARTIST")));
    await store.close();
    for (const walk of await unfinished) {
      expect(walk).toMatchObject({ status: "rejected", reason: { message: "profile-store: the store was closed before the walk ended" } });
    }
    await expect(store.recommendAsync(userId, "ARTIST")).rejects.toThrow("profile-store: the store is closed");
    expect(store.ingest(randomEvents(100, 6)).accepted).toBe(100);
    expect(store.recommend(userId, "ARTIST", { seed: 1 }).recommendations.length).toBeGreaterThan(0);
  });

  it("are not needed: without them recommendAsync walks on the calling thread, for either engine", async () => {
    const events = randomEvents(3000, 21);
    const userId = events[0]!.userId;
    for (const engine of ["wasm", "reference"] as const) {
      const store = await storeWith(events, { engine });
      expect(await store.recommendAsync(userId, "TRACK", { seed: 4 })).toEqual(store.recommend(userId, "TRACK", { seed: 4 }));
    }
  });
});
