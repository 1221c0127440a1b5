// The one event path: every source hands the engine epoch ms once, the SDK refuses what it does not
// know, and the validator's results are the same whether events are applied or only checked.
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EVENT_WINDOW } from "../assembly/constants.js";
import { loadGeneratedData } from "../src/demo/generated-data.js";
import { startLiveStream } from "../src/demo/live-stream.js";
import { validateEvents } from "../src/events.js";
import { createGenerator } from "../src/ingest/generator.js";
import { writeLfm1bDataset } from "../src/ingest/lfm1b-writer.js";
import { InvalidInputError, loadLfm1b, ProfileStore, readEventBatches, type ListeningEvent, type Profile, type TimestampUnit } from "../src/index.js";
import { MAX_TIMESTAMP_MS } from "../src/validation.js";
import { randomEvents } from "./helpers/random-events.js";

const UNITS: TimestampUnit[] = ["ms", "s", "auto"];
const SAMPLE_DIR = fileURLToPath(new URL("../../shared/data/lfm-1b-sample", import.meta.url));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "sdk-events-"));
  await writeLfm1bDataset(dir, { users: 30, artists: 100, events: 5000, seed: 3 });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Every user's profile, by id. */
function profiles(store: ProfileStore, users: Iterable<number>): Map<number, Profile | undefined> {
  return new Map([...users].map((id) => [id, store.profile(id)]));
}

async function loadedWithEachUnit(path: string): Promise<ProfileStore[]> {
  const stores: ProfileStore[] = [];
  for (const timestampUnit of UNITS) {
    const store = await ProfileStore.create({ timestampUnit });
    await loadLfm1b(path, store);
    stores.push(store);
  }
  return stores;
}

describe("timestamps are converted once", () => {
  it("an LFM-1b directory loads to the same first and last listens whatever the store's unit", async () => {
    const [ms, ...others] = await loadedWithEachUnit(dir);
    const users = createGenerator({ users: 30, artists: 100, events: 5000, seed: 3 }).eventBatches().next().value!.userId;
    const expected = profiles(ms!, users);
    // Files carry seconds: epoch ms of the 2000s and 2010s, not of the year 40,000.
    for (const profile of expected.values()) expect(profile!.lastListenEvent).toBeLessThan(Date.UTC(2030, 0, 1));
    for (const store of others) expect(profiles(store, users)).toEqual(expected);
  });

  it.skipIf(!existsSync(SAMPLE_DIR))("so does the real LFM-1b sample", async () => {
    const [ms, ...others] = await loadedWithEachUnit(SAMPLE_DIR);
    const users = new Set<number>();
    for await (const batch of readEventBatches(join(SAMPLE_DIR, "LFM-1b_LEs-sample.txt"))) for (const id of batch.userId) users.add(id);
    expect(users.size).toBe(21);
    const expected = profiles(ms!, users);
    for (const profile of expected.values()) expect(profile!.lastListenEvent).toBeLessThan(Date.UTC(2030, 0, 1));
    for (const store of others) expect(profiles(store, users)).toEqual(expected);
  });

  it("the generated demo data and the live stream are stored as generated, whatever the store's unit", async () => {
    const options = { users: 20, artists: 50, events: 2000, seed: 5 };
    const expected = [...createGenerator(options).eventBatches()][0]!.timestamp;
    for (const timestampUnit of UNITS) {
      const store = await ProfileStore.create({ timestampUnit });
      await loadGeneratedData(store, createGenerator(options), { events: options.events });
      const generated = [...createGenerator(options).eventBatches()][0]!;
      const first = store.profile(generated.userId[0]!)!;
      expect(first.firstListenEvent).toBeGreaterThanOrEqual(Math.min(...expected));
      expect(first.lastListenEvent).toBeLessThanOrEqual(Math.max(...expected));
      const before = Date.now();
      const live = startLiveStream(store, createGenerator(options), { eventsPerSecond: 1000, tickMs: 10 });
      await new Promise((resolve) => setTimeout(resolve, 60));
      live.stop();
      const newest = Math.max(...[...new Set(generated.userId)].map((id) => store.profile(id)!.lastListenEvent));
      expect(newest).toBeGreaterThanOrEqual(before);
      expect(newest).toBeLessThanOrEqual(Date.now());
    }
  });

  it("a caller's events are read in the store's unit, or in the unit an ingest call names", async () => {
    const seconds = await ProfileStore.create({ timestampUnit: "s" });
    seconds.ingest([{ userId: 1, artistId: 1, albumId: 1, trackId: 1, timestamp: 1_400_000_000 }]);
    seconds.ingest([{ userId: 1, artistId: 1, albumId: 1, trackId: 1, timestamp: 1_500_000_000_000 }], { timestampUnit: "ms" });
    expect(seconds.profile(1)).toMatchObject({ firstListenEvent: 1_400_000_000_000, lastListenEvent: 1_500_000_000_000 });
  });
});

describe("bounds and names", () => {
  it("refuses timestamps beyond the year 9999, naming the unit", async () => {
    const store = await ProfileStore.create();
    const result = store.ingest([play(MAX_TIMESTAMP_MS), play(MAX_TIMESTAMP_MS + 1), play(1_700_000_000_000_000)]);
    expect(result.accepted).toBe(1);
    expect(result.rejections.map((r) => r.reason)).toEqual([
      `timestamp must be epoch milliseconds from 1970 to the year 9999, got ${MAX_TIMESTAMP_MS + 1}`,
      "timestamp must be epoch milliseconds from 1970 to the year 9999, got 1700000000000000",
    ]);
    const auto = await ProfileStore.create({ timestampUnit: "auto" });
    expect(auto.ingest([play(1e16)]).rejections[0]!.reason).toBe(
      "timestamp must be epoch seconds (below 10^11) or milliseconds from 1970 to the year 9999, got 10000000000000000",
    );
  });

  it("compares field names in ASCII case only", async () => {
    const store = await ProfileStore.create();
    store.ingest([play(1)]);
    expect(store.charts(1, "artist" as never).topK).toHaveLength(1);
    for (const lookalike of ["artiſt", "artıst", "ARTİST"]) {
      expect(() => store.charts(1, lookalike as never)).toThrow(new InvalidInputError("field", lookalike, "one of ARTIST, ALBUM, TRACK"));
    }
  });

  it("refuses option keys it does not know, naming them", async () => {
    const store = await ProfileStore.create();
    store.ingest([play(1)]);
    expect(() => store.recommend(1, "ARTIST", { walkLenght: 5 } as never)).toThrow(
      "walkLenght must be a known option: preset, method, limit, walks, walkLength, resetProbability, seed, popularityPenalty, neighbours, itemExponent, userExponent, hubCap, edgeWeight, ridge, got 5",
    );
    await expect(ProfileStore.create({ chartsize: 5 } as never)).rejects.toThrow(/^chartsize must be a known option: engine, chartSize/);
    expect(() => store.ingest([play(1)], { unit: "s" } as never)).toThrow('unit must be a known option: timestampUnit, got "s"');
    expect(() => store.ingest([play(1)], { timestampUnit: "h" } as never)).toThrow('timestampUnit must be one of ms, s, auto, got "h"');
    await expect(store.recommendAsync(1, "ARTIST", { seeds: 1 } as never)).rejects.toBeInstanceOf(InvalidInputError);
  });
});

describe("the validator", () => {
  it("counts every rejection by property, details the first 100, and keeps the valid events", async () => {
    const store = await ProfileStore.create();
    const events: unknown[] = [];
    for (let i = 0; i < 250; i++) events.push({ ...play(i), artistId: -1 }, i % 2 ? null : { ...play(i), timestamp: "noon" }, play(i));
    const result = store.ingest(events as ListeningEvent[]);
    expect(result).toMatchObject({ accepted: 250, rejected: 500, rejectedBy: { artistId: 250, event: 125, timestamp: 125 } });
    expect(result.rejections).toHaveLength(100);
    expect(result.rejections[0]).toEqual({ index: 0, field: "artistId", reason: "artistId must be an integer between 0 and 2^53-1, got -1" });
    expect(store.profile(1)!.totalListenCount).toBe(250);
  });

  it("checks without applying, giving the accepted events and the same result as an ingest", async () => {
    const events: ListeningEvent[] = randomEvents(EVENT_WINDOW + 1234, 9);
    events[5] = { ...events[5]!, userId: -5 };
    events[EVENT_WINDOW + 7] = { ...events[EVENT_WINDOW + 7]!, timestamp: Number.NaN };
    const { events: accepted, result } = validateEvents(events, "ms");
    const store = await ProfileStore.create();
    expect(result).toEqual(store.ingest(events));
    const kept = events.filter((_, i) => i !== 5 && i !== EVENT_WINDOW + 7);
    expect(accepted.userId.length).toBe(kept.length);
    expect(Array.from(accepted.timestamp)).toEqual(kept.map((e) => e.timestamp));
    expect(Array.from(accepted.trackId)).toEqual(kept.map((e) => e.trackId));
  });

  it("refuses input that is neither events nor columns", async () => {
    const store = await ProfileStore.create();
    expect(() => store.ingest(42 as never)).toThrow("events must be an iterable of event objects or event columns, got 42");
  });

});

function play(timestamp: number): ListeningEvent {
  return { userId: 1, artistId: 2, albumId: 3, trackId: 4, timestamp };
}
