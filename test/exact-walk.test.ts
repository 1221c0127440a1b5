// The exact walk (method "exact", assembly/exact-walk.ts) against the TypeScript reference and an
// independent brute-force model on random streams, and presets as the SDK resolves them.
import { describe, expect, it } from "vitest";
import { InvalidInputError, PRESETS, ProfileStore } from "../src/index.js";
import { FIELDS, type EdgeWeight, type Field, type ListeningEvent } from "../src/types.js";
import type { RecommendOptions } from "../src/validation.js";
import { randomEvents } from "./helpers/random-events.js";

const FIELD_KEY: Record<Field, keyof ListeningEvent> = { ARTIST: "artistId", ALBUM: "albumId", TRACK: "trackId" };

async function both(events: ListeningEvent[], options = {}) {
  const wasm = await ProfileStore.create({ ...options, engine: "wasm" });
  const reference = await ProfileStore.create({ ...options, engine: "reference" });
  wasm.ingest(events);
  reference.ingest(events);
  return { wasm, reference };
}

/** An edge's weight from its plays: 1 per pair, its plays, or ln(1 + plays). */
function edgeWeight(weighting: EdgeWeight, plays: number): number {
  return weighting === "pair" ? 1 : weighting === "log" ? Math.log1p(plays) : plays;
}

/** A node's degree: its plays with play weights, its distinct pairs otherwise. */
function pairDegree(weighting: EdgeWeight, counts: Map<number, number>): number {
  return weighting === "play" ? [...counts.values()].reduce((sum, count) => sum + count, 0) : counts.size;
}

/** Plays per user and item, and per item and user, from the events alone. */
function playTables(events: ListeningEvent[], field: Field) {
  const plays = new Map<number, Map<number, number>>();
  const listeners = new Map<number, Map<number, number>>();
  for (const event of events) {
    const item = event[FIELD_KEY[field]];
    const mine = plays.get(event.userId) ?? new Map<number, number>();
    mine.set(item, (mine.get(item) ?? 0) + 1);
    plays.set(event.userId, mine);
    const theirs = listeners.get(item) ?? new Map<number, number>();
    theirs.set(event.userId, (theirs.get(event.userId) ?? 0) + 1);
    listeners.set(item, theirs);
  }
  return { plays, listeners };
}

/** Exact walk scores computed from the events alone: plays per pair, no graph storage, no sampling. */
function bruteForce(events: ListeningEvent[], field: Field, userId: number, params: Required<Pick<RecommendOptions, "neighbours" | "itemExponent" | "userExponent" | "popularityPenalty" | "edgeWeight">>) {
  const { plays, listeners } = playTables(events, field);
  const weight = (count: number) => edgeWeight(params.edgeWeight, count);
  const degree = (counts: Map<number, number>) => pairDegree(params.edgeWeight, counts);
  const similarity = bruteForceSimilarities(events, field, userId, params);
  // Ties go to the user seen first, as the engines number users in order of first sight.
  const firstSeen = new Map([...plays.keys()].map((user, index) => [user, index]));
  const kept = [...similarity].sort(([a, x], [b, y]) => y - x || firstSeen.get(a)! - firstSeen.get(b)!);
  const scores = new Map<number, number>();
  for (const [other, sim] of params.neighbours === 0 ? kept : kept.slice(0, params.neighbours)) {
    for (const [item, count] of plays.get(other)!) {
      if (!plays.get(userId)!.has(item)) scores.set(item, (scores.get(item) ?? 0) + sim * weight(count));
    }
  }
  return new Map([...scores].map(([item, score]) => [item, score / degree(listeners.get(item)!) ** params.popularityPenalty]));
}

/**
 * The exact walk with a ridge from the events alone: the brute-force model's similarities pick the
 * co-listeners, then w = (X X^T + ridge I)^-1 X x_u by Gauss-Jordan elimination, score(j) = sum_v w(v) X(v, j).
 */
function bruteForceRidge(events: ListeningEvent[], field: Field, userId: number, params: Parameters<typeof bruteForce>[3] & { ridge: number }) {
  const { plays } = playTables(events, field);
  const weight = (count: number) => edgeWeight(params.edgeWeight, count);
  const mine = plays.get(userId)!;
  // The co-listeners the walk keeps: those of the highest similarity, ties to the user seen first.
  const sims = bruteForceSimilarities(events, field, userId, params);
  const firstSeen = new Map([...plays.keys()].map((user, index) => [user, index]));
  const kept = [...sims.keys()].sort((a, b) => sims.get(b)! - sims.get(a)! || firstSeen.get(a)! - firstSeen.get(b)!).slice(0, params.neighbours);
  const rows = kept.map((other) => plays.get(other)!);
  const k = rows.length;
  const dot = (x: Map<number, number>, y: Map<number, number>) => [...x].reduce((sum, [item, count]) => sum + (y.has(item) ? weight(count) * weight(y.get(item)!) : 0), 0);
  // [G + ridge I | X x_u], reduced to [I | w].
  const system = rows.map((x, a) => [...rows.map((y, b) => dot(x, y) + (a === b ? params.ridge : 0)), dot(x, mine)]);
  for (let c = 0; c < k; c++) {
    const pivot = system[c]![c]!;
    system[c] = system[c]!.map((value) => value / pivot);
    for (let r = 0; r < k; r++) if (r !== c) system[r] = system[r]!.map((value, j) => value - system[r]![c]! * system[c]![j]!);
  }
  const scores = new Map<number, number>();
  rows.forEach((row, a) => {
    for (const [item, count] of row) if (!mine.has(item)) scores.set(item, (scores.get(item) ?? 0) + system[a]![k]! * weight(count));
  });
  return new Map([...scores].filter(([, score]) => score > 0));
}

/** The brute-force walk's similarity of every co-listener. */
function bruteForceSimilarities(events: ListeningEvent[], field: Field, userId: number, params: Parameters<typeof bruteForce>[3]) {
  const { plays, listeners } = playTables(events, field);
  const weight = (count: number) => edgeWeight(params.edgeWeight, count);
  const degree = (counts: Map<number, number>) => pairDegree(params.edgeWeight, counts);
  const similarity = new Map<number, number>();
  for (const [item, count] of plays.get(userId)!) {
    for (const [other, otherCount] of listeners.get(item)!) {
      if (other !== userId) similarity.set(other, (similarity.get(other) ?? 0) + (weight(count) * weight(otherCount)) / degree(listeners.get(item)!) ** params.itemExponent);
    }
  }
  for (const [other, sum] of similarity) similarity.set(other, sum / degree(plays.get(other)!) ** params.userExponent);
  return similarity;
}

const RIDGE = [
  { neighbours: 6, itemExponent: 1, userExponent: 1, popularityPenalty: 0, hubCap: 10000, edgeWeight: "pair", ridge: 2 },
  { neighbours: 40, itemExponent: 1, userExponent: 0, popularityPenalty: 1, hubCap: 1000, edgeWeight: "pair", ridge: 0.5 },
  { neighbours: 12, itemExponent: 0, userExponent: 1, popularityPenalty: 0, hubCap: 5000, edgeWeight: "play", ridge: 30 },
  { neighbours: 9, itemExponent: 1, userExponent: 1, popularityPenalty: 1, hubCap: 4, edgeWeight: "pair", ridge: 1 },
  { neighbours: 25, itemExponent: 1, userExponent: 1, popularityPenalty: 0, hubCap: 7, edgeWeight: "play", ridge: 3 },
  { neighbours: 10, itemExponent: 1, userExponent: 1, popularityPenalty: 0, hubCap: 5000, edgeWeight: "log", ridge: 5 },
  { neighbours: 8, itemExponent: 1, userExponent: 1, popularityPenalty: 1, hubCap: 5, edgeWeight: "log", ridge: 2 },
] as const;

const INTEGER_EXPONENTS = [
  { neighbours: 0, itemExponent: 1, userExponent: 1, popularityPenalty: 0, hubCap: 10000, edgeWeight: "pair" },
  { neighbours: 5, itemExponent: 1, userExponent: 0, popularityPenalty: 1, hubCap: 10000, edgeWeight: "pair" },
  { neighbours: 0, itemExponent: 0, userExponent: 1, popularityPenalty: 1, hubCap: 10000, edgeWeight: "play" },
  { neighbours: 3, itemExponent: 1, userExponent: 1, popularityPenalty: 0, hubCap: 4, edgeWeight: "pair" },
  { neighbours: 0, itemExponent: 1, userExponent: 1, popularityPenalty: 1, hubCap: 7, edgeWeight: "play" },
  { neighbours: 0, itemExponent: 1, userExponent: 1, popularityPenalty: 1, hubCap: 10000, edgeWeight: "log" },
  { neighbours: 4, itemExponent: 0, userExponent: 1, popularityPenalty: 0, hubCap: 6, edgeWeight: "log" },
] as const;

describe.each([1, 2])("the exact walk on random stream seed %i", (seed) => {
  const events = randomEvents(6000, seed);
  const users = [...new Set(events.map((event) => event.userId))].slice(0, 10);

  it.each([...INTEGER_EXPONENTS, ...RIDGE])("is identical in wasm and the reference with %o", async (params) => {
    const { wasm, reference } = await both(events);
    let rows = 0;
    for (const userId of users) {
      for (const field of FIELDS) {
        const request = { method: "exact", limit: 20, seed: seed * 31 + userId, ...params } as const;
        const answer = wasm.recommend(userId, field, request);
        expect(answer).toEqual(reference.recommend(userId, field, request));
        rows += answer.recommendations.length;
      }
    }
    expect(rows).toBeGreaterThan(30);
  });

  it.each(RIDGE.filter((params) => params.hubCap >= 1000 && params.popularityPenalty === 0))("scores as the brute-force ridge regression does with %o", async (params) => {
    const { wasm } = await both(events);
    let rows = 0;
    for (const userId of users) {
      for (const field of FIELDS) {
        const expected = bruteForceRidge(events, field, userId, params);
        const answer = wasm.recommend(userId, field, { method: "exact", limit: 1000, seed: 1, ...params }).recommendations;
        expect(answer.length).toBe(expected.size);
        for (const row of answer) expect(row.score).toBeCloseTo(expected.get(row.id)!, 9);
        rows += answer.length;
      }
    }
    expect(rows).toBeGreaterThan(100);
  });

  it("matches the reference with fractional exponents, to rounding", async () => {
    const { wasm, reference } = await both(events);
    const request = { preset: "quality", limit: 20, seed: 9 } as const;
    for (const userId of users) {
      const fromWasm = wasm.recommend(userId, "TRACK", request).recommendations;
      const fromReference = reference.recommend(userId, "TRACK", request).recommendations;
      expect(fromWasm.map((row) => row.id)).toEqual(fromReference.map((row) => row.id));
      fromWasm.forEach((row, i) => expect(row.score).toBeCloseTo(fromReference[i]!.score, 12));
    }
  });

  it.each(INTEGER_EXPONENTS.filter((params) => params.hubCap === 10000))("scores as the brute-force model does with %o", async (params) => {
    const { wasm } = await both(events);
    for (const userId of users) {
      for (const field of FIELDS) {
        const expected = bruteForce(events, field, userId, params);
        const answer = wasm.recommend(userId, field, { method: "exact", limit: 1000, seed: 1, ...params }).recommendations;
        expect(answer.length).toBe(expected.size);
        for (const row of answer) expect(row.score).toBeCloseTo(expected.get(row.id)!, 9);
        const scores = answer.map((row) => row.score);
        expect(scores).toEqual([...scores].sort((a, b) => b - a));
      }
    }
  });
});

describe("the exact walk on graphs past the merge threshold and bounded", () => {
  it.each([0, 40_000])("is identical in wasm and the reference with maxEdgesPerGraph %i", async (maxEdgesPerGraph) => {
    const events = randomEvents(90_000, 5, { users: 300, artists: 200, albums: 400, tracks: 3000 });
    const { wasm, reference } = await both(events, { maxEdgesPerGraph });
    wasm.compact();
    for (const userId of [...new Set(events.map((event) => event.userId))].slice(0, 6)) {
      for (const params of [...INTEGER_EXPONENTS, ...RIDGE]) {
        const request = { method: "exact", limit: 15, seed: userId, ...params } as const;
        expect(wasm.recommend(userId, "ARTIST", request)).toEqual(reference.recommend(userId, "ARTIST", request));
      }
    }
  });
});

describe("presets", () => {
  const events = randomEvents(3000, 4);
  const userId = events[0]!.userId;

  it("are the parameters they name, and explicit parameters override them", async () => {
    const store = await ProfileStore.create();
    store.ingest(events);
    const { method: _method, ...quality } = PRESETS.quality;
    expect(store.recommend(userId, "ARTIST", { preset: "quality", seed: 1 })).toEqual(store.recommend(userId, "ARTIST", { method: "exact", ...quality, seed: 1 }));
    expect(store.recommend(userId, "ARTIST", { preset: "quality", neighbours: 2, seed: 1 })).toEqual(
      store.recommend(userId, "ARTIST", { method: "exact", ...quality, neighbours: 2, seed: 1 }),
    );
    expect(store.recommend(userId, "ARTIST", { preset: "quality", neighbours: 2, seed: 1 })).not.toEqual(store.recommend(userId, "ARTIST", { preset: "quality", seed: 1 }));
    expect(store.recommend(userId, "ARTIST", { seed: 3 })).toEqual(store.recommend(userId, "ARTIST", { preset: "seed", walks: 1000, walkLength: 100, seed: 3 }));
  });

  it("default to the store's defaultPreset", async () => {
    const seedStore = await ProfileStore.create();
    const qualityStore = await ProfileStore.create({ defaultPreset: "quality" });
    seedStore.ingest(events);
    qualityStore.ingest(events);
    expect(qualityStore.recommend(userId, "TRACK", { seed: 2 })).toEqual(seedStore.recommend(userId, "TRACK", { preset: "quality", seed: 2 }));
    expect(qualityStore.recommend(userId, "TRACK", { preset: "seed", seed: 2 })).toEqual(seedStore.recommend(userId, "TRACK", { seed: 2 }));
  });

  it("and the exact walk's parameters are refused outside their ranges, naming the value", async () => {
    const store = await ProfileStore.create();
    expect(() => store.recommend(userId, "ARTIST", { preset: "best" as never })).toThrow(new InvalidInputError("preset", "best", "one of seed, quality"));
    expect(() => store.recommend(userId, "ARTIST", { neighbours: 1001 })).toThrow("neighbours must be an integer between 0 and 1000, got 1001");
    expect(() => store.recommend(userId, "ARTIST", { hubCap: 0 })).toThrow("hubCap must be an integer between 1 and 10000, got 0");
    expect(() => store.recommend(userId, "ARTIST", { userExponent: 3 })).toThrow("userExponent must be a number between 0 and 2, got 3");
    expect(() => store.recommend(userId, "ARTIST", { edgeWeight: "ln" as never })).toThrow('edgeWeight must be one of pair, play, log, got "ln"');
    await expect(ProfileStore.create({ defaultPreset: "fast" as never })).rejects.toThrow("defaultPreset must be one of seed, quality");
    expect(() => store.recommend(userId, "ARTIST", { ridge: -1 })).toThrow("ridge must be a number between 0 and 100000, got -1");
    expect(() => store.recommend(userId, "ARTIST", { preset: "quality", neighbours: 0 })).toThrow("neighbours must be an integer between 1 and 250 with ridge 50 (ridge 0: no such bound), got 0");
    expect(() => store.recommend(userId, "ARTIST", { method: "exact", neighbours: 300, ridge: 1 })).toThrow("neighbours must be an integer between 1 and 250 with ridge 1");
    expect(() => store.recommend(userId, "ARTIST", { preset: "quality", hubCap: 1000 })).toThrow("hubCap must be at most 375 with neighbours 200 with ridge 50 (ridge 0: no such bound): neighbours x hubCap <= 75000, got 1000");
    expect(() => store.recommend(userId, "ARTIST", { preset: "quality", neighbours: 250, hubCap: 301 })).toThrow("neighbours must be at most 249 with hubCap 301");
    expect(() => store.recommend(userId, "ARTIST", { preset: "quality", neighbours: 0, ridge: 0 })).not.toThrow();
  });
});
