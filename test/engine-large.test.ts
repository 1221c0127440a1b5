// A million events in one columnar batch: wasm memory grows many times while the engine's views are
// live, the graphs merge their deltas several times, and everything still equals the reference.
import { describe, expect, it } from "vitest";
import { ProfileStore } from "../src/index.js";
import { FIELDS } from "../src/types.js";
import { Mulberry32 } from "../src/engine/random.js";

function columns(count: number, seed: number) {
  const random = new Mulberry32(seed);
  const column = () => new Float64Array(count);
  const batch = { userId: column(), artistId: column(), albumId: column(), trackId: column(), timestamp: column() };
  for (let i = 0; i < count; i++) {
    const user = random.below(random.below(3000) + 1);
    batch.userId[i] = user * 1_000_003;
    batch.artistId[i] = random.below(random.below(20_000) + 1);
    batch.albumId[i] = random.below(random.below(60_000) + 1) + 2 ** 40;
    batch.trackId[i] = random.below(random.below(400_000) + 1) * 31;
    batch.timestamp[i] = 1_100_000_000_000 + i * 1000;
  }
  return batch;
}

describe("a million-event batch", () => {
  it("grows memory under live views and matches the reference exactly", async () => {
    const batch = columns(1_000_000, 5);
    const wasm = await ProfileStore.create({ engine: "wasm" });
    const reference = await ProfileStore.create({ engine: "reference" });
    const before = wasm.stats().totalBytes;
    wasm.profile(0); // creates the output view before memory grows
    expect(wasm.ingest(batch)).toMatchObject({ accepted: 1_000_000, rejected: 0 });
    // Grown at least three times (the heap doubles the memory).
    expect(wasm.stats().totalBytes).toBeGreaterThanOrEqual(8 * before);
    reference.ingest(batch);

    const users = [...new Set(batch.userId)];
    for (const userId of users) {
      expect(wasm.profile(userId)).toEqual(reference.profile(userId));
      for (const field of FIELDS) expect(wasm.charts(userId, field)).toEqual(reference.charts(userId, field));
    }
    for (const field of FIELDS) expect(wasm.stats().fields[field]).toMatchObject({ edges: 1_000_000 });
    const { liveBytes, totalBytes } = wasm.stats();
    expect(liveBytes).toBeGreaterThan(0);
    expect(liveBytes).toBeLessThanOrEqual(totalBytes);
    for (const userId of users.slice(0, 5)) {
      for (const field of FIELDS) {
        const request = { walks: 2000, walkLength: 20, limit: 25, seed: userId % 1000 };
        expect(wasm.recommend(userId, field, request)).toEqual(reference.recommend(userId, field, request));
      }
    }
    // Compacting folds the last delta into the base without changing any answer or taking memory.
    const request = { seed: 11 };
    const answer = wasm.recommend(users[0]!, "TRACK", request);
    const bytes = wasm.stats().fields.TRACK.graphBytes;
    wasm.compact();
    expect(wasm.recommend(users[0]!, "TRACK", request)).toEqual(answer);
    expect(wasm.stats().fields.TRACK.graphBytes).toBeLessThanOrEqual(bytes);
  }, 120_000);
});

describe("edge pages", () => {
  it("are kept when a merge frees them, and reused by the next ones before the heap grows", async () => {
    const batch = columns(1_000_000, 8);
    const wasm = await ProfileStore.create({ engine: "wasm", ingestThreads: 1 });
    const window = 1 << 16;
    const seen: Array<{ free: number; total: number }> = [];
    for (let at = 0; at < 1_000_000; at += window) {
      const rows = (column: Float64Array) => column.subarray(at, at + window);
      wasm.ingest({ userId: rows(batch.userId), artistId: rows(batch.artistId), albumId: rows(batch.albumId), trackId: rows(batch.trackId), timestamp: rows(batch.timestamp) });
      const { freePageBytes, totalBytes } = wasm.stats();
      seen.push({ free: freePageBytes!, total: totalBytes });
    }
    // A merge put pages on the list, and a later call took some back, with no more memory.
    const reused = seen.some((before, i) => before.free > 0 && seen.slice(i + 1).some((after) => after.free < before.free && after.total === before.total));
    expect(reused).toBe(true);
    expect((await ProfileStore.create({ engine: "reference" })).stats().freePageBytes).toBeUndefined();
    await wasm.close();
  }, 60_000);
});
