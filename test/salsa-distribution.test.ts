// SALSA's scores against the exact visit distribution of the naive model (docs/salsa.md): on a small
// graph, 1,000,000 walkers give visit counts whose deviation from the model's expectation must be
// plausible by a chi-square test at p = 1e-6. Fixed seeds keep the test deterministic.
//
// The first user -> item step only visits items the query user played, which results exclude, so the
// visible visits start at the second: walkLength 3 shows one user -> item step beyond the user's own
// items (at most one visible visit per walker: a multinomial), walkLength 5 shows two (up to two
// visits per walker, correlated, so the statistic uses the model's exact covariance).
import { describe, expect, it } from "vitest";
import { ProfileStore } from "../src/index.js";
import type { ListeningEvent } from "../src/types.js";
import { NaiveModel } from "./helpers/naive-model.js";

/** Artist plays per user: repeats weigh the walk; user 1 is the query user. */
const PLAYS: Record<number, Record<number, number>> = {
  1: { 10: 3, 20: 1 },
  2: { 10: 1, 30: 2, 40: 1 },
  3: { 20: 2, 40: 1, 50: 3 },
  4: { 30: 1, 60: 2 },
  5: { 50: 1, 60: 1, 70: 1 },
};
const QUERY_USER = 1;
/** Walkers per request (the most one request may start), and requests per case with different seeds. */
const WALKS = 100_000;
const REQUESTS = 10;

const EVENTS: ListeningEvent[] = Object.entries(PLAYS).flatMap(([user, plays]) =>
  Object.entries(plays).flatMap(([artist, count]) =>
    Array.from({ length: count }, (_, i) => ({ userId: Number(user), artistId: Number(artist), albumId: 1, trackId: 1, timestamp: i })),
  ),
);

/** The chi-square quantile at upper tail 1e-6 by the Wilson-Hilferty approximation (a little high for df 1). */
function chiSquareCritical(df: number): number {
  const z = 4.753424; // the standard normal quantile at upper tail 1e-6
  const a = 2 / (9 * df);
  return df * (1 - a + z * Math.sqrt(a)) ** 3;
}

/** x with A x = b, by Gaussian elimination with partial pivoting (A small and positive definite). */
function solve(matrix: number[][], vector: number[]): number[] {
  const n = vector.length;
  const rows = matrix.map((row, i) => [...row, vector[i]!]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(rows[r]![col]!) > Math.abs(rows[pivot]![col]!)) pivot = r;
    [rows[col], rows[pivot]] = [rows[pivot]!, rows[col]!];
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const factor = rows[r]![col]! / rows[col]![col]!;
      for (let c = col; c <= n; c++) rows[r]![c]! -= factor * rows[col]![c]!;
    }
  }
  return rows.map((row, i) => row[n]! / row[i]!);
}

const model = new NaiveModel();
model.ingest(EVENTS);

describe.each(["wasm", "reference"] as const)("SALSA visits on the %s engine", (engine) => {
  it("at walkLength 1 visits only the query user's own items, so nothing is left after exclusion", async () => {
    const store = await ProfileStore.create({ engine });
    store.ingest(EVENTS);
    for (const resetProbability of [0, 0.3]) {
      expect(model.walkerVisits(QUERY_USER, "ARTIST", 1, resetProbability).items).toEqual([]);
      expect(store.recommend(QUERY_USER, "ARTIST", { walks: WALKS, walkLength: 1, resetProbability, seed: 5, limit: 1000 })).toEqual({ recommendations: [] });
    }
  });

  it.each([
    [3, 0, [30, 40, 50]],
    [3, 0.3, [30, 40, 50]],
    [5, 0, [30, 40, 50, 60, 70]],
    [5, 0.3, [30, 40, 50, 60, 70]],
  ])("matches the exact distribution at walkLength %i, resetProbability %s", async (walkLength, resetProbability, reachable) => {
    const store = await ProfileStore.create({ engine });
    store.ingest(EVENTS);
    const { items, mean, covariance } = model.walkerVisits(QUERY_USER, "ARTIST", walkLength, resetProbability);
    expect([...items].sort((a, b) => a - b)).toEqual(reachable);

    const observed = new Map<number, number>();
    for (let request = 0; request < REQUESTS; request++) {
      const options = { walks: WALKS, walkLength, resetProbability, seed: 1000 * walkLength + request, limit: 1000 };
      for (const { id, score } of store.recommend(QUERY_USER, "ARTIST", options).recommendations) observed.set(id, (observed.get(id) ?? 0) + score);
    }
    expect([...observed.keys()].filter((id) => !items.includes(id))).toEqual([]);

    // (O - n mean)' (n covariance)^-1 (O - n mean) is chi-square with one degree per item, for n walkers.
    const walkers = WALKS * REQUESTS;
    const deviation = items.map((id, j) => (observed.get(id) ?? 0) - walkers * mean[j]!);
    const weighted = solve(covariance.map((row) => row.map((c) => walkers * c)), deviation);
    const statistic = deviation.reduce((sum, d, j) => sum + d * weighted[j]!, 0);
    expect(statistic).toBeLessThan(chiSquareCritical(items.length));
  });
});
