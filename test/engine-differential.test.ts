// The wasm kernels against the TypeScript reference on random inputs: identical metrics, charts,
// play counts and (same seed) SALSA results. Charts are also checked against a brute-force oracle.
import { describe, expect, it } from "vitest";
import { ProfileStore } from "../src/index.js";
import { FIELDS, type Field, type ListeningEvent } from "../src/types.js";
import { randomEvents } from "./helpers/random-events.js";
import { engineOf } from "./helpers/store-engine.js";

const FIELD_KEY: Record<Field, keyof ListeningEvent> = { ARTIST: "artistId", ALBUM: "albumId", TRACK: "trackId" };

async function both(events: ListeningEvent[], options = {}) {
  const wasm = await ProfileStore.create({ ...options, engine: "wasm" });
  const reference = await ProfileStore.create({ ...options, engine: "reference" });
  expect(wasm.ingest(events).accepted).toBe(events.length);
  expect(reference.ingest(events).accepted).toBe(events.length);
  return { wasm, reference };
}

function oracleChart(events: ListeningEvent[], userId: number, field: Field, k: number) {
  const counts = new Map<number, number>();
  for (const e of events) if (e.userId === userId) counts.set(e[FIELD_KEY[field]], (counts.get(e[FIELD_KEY[field]]) ?? 0) + 1);
  return [...counts]
    .map(([id, countPlays]) => ({ id, countPlays }))
    .sort((a, b) => b.countPlays - a.countPlays || a.id - b.id)
    .slice(0, k);
}

describe.each([1, 2, 3])("wasm vs reference, random stream seed %i", (seed) => {
  const events = randomEvents(5000, seed);
  const users = [...new Set(events.map((e) => e.userId))];

  it("has identical profiles, charts and play counts, and charts match the oracle", async () => {
    const { wasm, reference } = await both(events, { chartSize: 7 });
    for (const userId of users) {
      expect(wasm.profile(userId)).toEqual(reference.profile(userId));
      for (const field of FIELDS) {
        const chart = wasm.charts(userId, field);
        expect(chart).toEqual(reference.charts(userId, field));
        expect(chart.topK).toEqual(oracleChart(events, userId, field, 7));
        const top = chart.topK[0]!;
        expect(wasm.playCount(userId, field, top.id)).toBe(top.countPlays);
      }
    }
    const mine = events.filter((e) => e.userId === users[0]);
    expect(wasm.profile(users[0]!)).toEqual({
      userId: users[0],
      totalListenCount: mine.length,
      firstListenEvent: Math.min(...mine.map((e) => e.timestamp)),
      lastListenEvent: Math.max(...mine.map((e) => e.timestamp)),
    });
  });

  it.each([
    { walks: 1000, walkLength: 100, resetProbability: 0.1 },
    { walks: 300, walkLength: 5, resetProbability: 0.1 },
    { walks: 50, walkLength: 1, resetProbability: 0 },
    { walks: 200, walkLength: 2, resetProbability: 0.5 },
    { walks: 100, walkLength: 7, resetProbability: 0.999 },
    { walks: 100, walkLength: 8, resetProbability: 1 },
  ])("returns identical SALSA results for %o", async (params) => {
    const { wasm, reference } = await both(events);
    for (const userId of users.slice(0, 8)) {
      for (const field of FIELDS) {
        const request = { ...params, limit: 15, seed: seed * 7919 + userId };
        expect(wasm.recommend(userId, field, request)).toEqual(reference.recommend(userId, field, request));
      }
    }
  });
});

describe("the popularity penalty", () => {
  const events = randomEvents(4000, 21);
  const users = [...new Set(events.map((e) => e.userId))].slice(0, 6);

  it.each([0.3, 1])("divides the visits by degree^%s, in wasm as in the reference", async (popularityPenalty) => {
    const { wasm, reference } = await both(events);
    for (const userId of users) {
      for (const field of FIELDS) {
        const base = { walks: 400, walkLength: 3, limit: 1000, seed: userId };
        const plain = wasm.recommend(userId, field, base).recommendations;
        const penalised = wasm.recommend(userId, field, { ...base, popularityPenalty }).recommendations;
        const fromReference = reference.recommend(userId, field, { ...base, popularityPenalty }).recommendations;
        // The same items (all of those visited), the same order; scores as the formula says.
        expect(penalised.map((r) => r.id)).toEqual(fromReference.map((r) => r.id));
        penalised.forEach((r, i) => expect(r.score).toBeCloseTo(fromReference[i]!.score, 12));
        expect(new Set(penalised.map((r) => r.id))).toEqual(new Set(plain.map((r) => r.id)));
        const degree = (id: number) => engineOf(wasm).neighbours(field, "item", id).length;
        for (const { id, score } of plain) expect(penalised.find((r) => r.id === id)!.score).toBeCloseTo(score / degree(id) ** popularityPenalty, 9);
      }
    }
  });

  it("is refused outside 0 to 1", async () => {
    const { wasm } = await both(events.slice(0, 10));
    expect(() => wasm.recommend(users[0]!, "ARTIST", { popularityPenalty: 2 })).toThrow("popularityPenalty must be a number between 0 and 1, got 2");
  });
});

describe("bounded graphs", () => {
  it("drop the oldest segments identically in wasm and the reference", async () => {
    const events = randomEvents(3000, 9);
    const { wasm, reference } = await both(events, { maxEdgesPerGraph: 400 });
    for (const field of FIELDS) {
      const edges = wasm.stats().fields[field].edges;
      expect(edges).toBe(reference.stats().fields[field].edges);
      expect(edges).toBeLessThanOrEqual(400);
      expect(edges).toBeGreaterThan(300);
    }
    for (const userId of [...new Set(events.map((e) => e.userId))].slice(0, 10)) {
      for (const field of FIELDS) {
        const request = { walks: 500, walkLength: 10, limit: 20, seed: 42 };
        expect(wasm.recommend(userId, field, request)).toEqual(reference.recommend(userId, field, request));
      }
    }
  });
});
