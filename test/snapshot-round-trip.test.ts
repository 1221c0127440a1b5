// save and load: a restored store equals the original in everything it answers, and goes on equal
// when both ingest the same events afterwards; for both engines, across graph merges and with
// bounded graphs that drop segments.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { ProfileStore, type ProfileStoreOptions } from "../src/index.js";
import { FIELDS, type Field, type ListeningEvent } from "../src/types.js";
import { randomEvents } from "./helpers/random-events.js";
import { engineOf } from "./helpers/store-engine.js";

const dir = await mkdtemp(join(tmpdir(), "profile-store-snapshot-"));
afterAll(() => rm(dir, { recursive: true, force: true }));

const SIZES = { users: 300, artists: 200, albums: 600, tracks: 3000 };
const FIELD_KEY: Record<Field, keyof ListeningEvent> = { ARTIST: "artistId", ALBUM: "albumId", TRACK: "trackId" };

/** Everything the store answers about the users and items of `events`, in one comparable value. */
function answers(store: ProfileStore, events: ListeningEvent[]) {
  const users = [...new Set(events.map((e) => e.userId))].sort((a, b) => a - b);
  const engine = engineOf(store);
  const { totalBytes, ...stats } = store.stats();
  return {
    // The reference engine's total is the JS heap, which a restore does not reproduce.
    stats: store.options.engine === "wasm" ? { totalBytes, ...stats } : stats,
    listeners: [store.listeners({ limit: 100 }), store.listeners({ limit: 100, order: "MOST_ACTIVE" })],
    profiles: users.map((userId) => store.profile(userId)),
    charts: users.map((userId) => FIELDS.map((field) => store.charts(userId, field))),
    playCounts: events.map((e) => FIELDS.map((field) => store.playCount(e.userId, field, e[FIELD_KEY[field]] as number))),
    recommendations: users.slice(0, 25).map((userId) => FIELDS.map((field) => store.recommend(userId, field, { walks: 300, walkLength: 20, seed: userId }))),
    // The exact walk reads the pair degrees kept beside the play counts.
    exact: users.slice(0, 25).map((userId) => FIELDS.map((field) => store.recommend(userId, field, { preset: "quality", hubCap: 5, seed: userId }))),
    graphs: users.slice(0, 40).map((userId) => FIELDS.map((field) => engine.neighbours(field, "user", userId).sort((a, b) => a - b))),
    names: FIELDS.map((field) => store.searchNames(field, "item", 50)),
  };
}

/** Compares answer by answer, so that a difference shows as one small diff (a diff of the whole would take minutes). */
function expectSameAnswers(actual: ReturnType<typeof answers>, expected: ReturnType<typeof answers>): void {
  for (const key of Object.keys(expected) as Array<keyof typeof expected>) {
    const [ours, theirs] = [actual[key], expected[key]];
    if (!Array.isArray(theirs) || !Array.isArray(ours)) {
      expect(ours, key).toEqual(theirs);
      continue;
    }
    expect(ours.length, `${key}.length`).toBe(theirs.length);
    const first = theirs.findIndex((answer, i) => !isDeepStrictEqual(ours[i], answer));
    if (first >= 0) expect(ours[first], `${key}[${first}]`).toEqual(theirs[first]);
  }
}

async function filledStore(options: ProfileStoreOptions, events: ListeningEvent[]): Promise<ProfileStore> {
  const store = await ProfileStore.create(options);
  expect(store.ingest(events).accepted).toBe(events.length);
  expect(store.ingest([{ userId: -1, artistId: 1, albumId: 1, trackId: 1, timestamp: 0 }]).rejected).toBe(1);
  for (const field of FIELDS) store.setNames(field, [0, 1, 2, 3, 4, 7, 13].map((id) => [id, `item ${field} ${id} ✓`] as const));
  return store;
}

describe.each(["wasm", "reference"] as const)("%s engine: save, then load", (engine) => {
  it.each([
    { name: "crossing the merge threshold twice", events: 150_000, options: { chartSize: 7 } },
    { name: "bounded, dropping segments", events: 60_000, options: { chartSize: 3, maxEdgesPerGraph: 20_000 } },
  ])("restores a store $name, which then goes on as the original", async ({ events: count, options }) => {
    const events = randomEvents(count, 11, SIZES);
    const more = randomEvents(30_000, 12, SIZES);
    const original = await filledStore({ engine, ...options }, events);
    const path = join(dir, `${engine}-${count}.snapshot`);
    const { bytes } = await original.save(path);
    expect(bytes).toBeGreaterThan(0);
    const restored = await ProfileStore.load(path, { engine, ...options });
    expectSameAnswers(answers(restored, events), answers(original, events));
    original.ingest(more);
    restored.ingest(more);
    const all = [...events, ...more];
    expectSameAnswers(answers(restored, all), answers(original, all));
  });
});

describe("wasm engine with walker threads", () => {
  it("restores a store whose walker threads walked, and walks alike on new ones", async () => {
    const events = randomEvents(20_000, 5, SIZES);
    const original = await filledStore({ walkerThreads: 1 }, events);
    const params = { walks: 500, walkLength: 30, seed: 9 };
    const before = await original.recommendAsync(events[0]!.userId, "TRACK", params);
    const path = join(dir, "walkers.snapshot");
    await original.save(path);
    const restored = await ProfileStore.load(path, { walkerThreads: 1 });
    try {
      expect(await restored.recommendAsync(events[0]!.userId, "TRACK", params)).toEqual(before);
      expectSameAnswers(answers(restored, events), answers(original, events));
    } finally {
      await Promise.all([original.close(), restored.close()]);
    }
  });
});
