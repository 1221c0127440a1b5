// Ranking metrics at K for one user's recommendations against the hidden target items, and the
// summaries over all users: mean of each, catalogue coverage, latency percentiles.

export interface UserScores {
  /** 1 when at least one target is among the first K, else 0. */
  hit: number;
  /** DCG of the hits over the DCG of an ideal ranking of min(K, targets) hits. */
  ndcg: number;
  /** Targets among the first K over all targets. */
  recall: number;
}

/** Scores of `ranking` (best first, at most its first k count) against `targets` (ascending). */
export function scoreRanking(ranking: readonly number[], targets: Int32Array, k: number): UserScores {
  const wanted = new Set(targets);
  let hits = 0;
  let dcg = 0;
  for (let rank = 0; rank < Math.min(k, ranking.length); rank++) {
    if (!wanted.has(ranking[rank]!)) continue;
    hits++;
    dcg += 1 / Math.log2(rank + 2);
  }
  let ideal = 0;
  for (let rank = 0; rank < Math.min(k, targets.length); rank++) ideal += 1 / Math.log2(rank + 2);
  return { hit: hits > 0 ? 1 : 0, ndcg: dcg / ideal, recall: hits / targets.length };
}

/** The p-th percentile (0 < p <= 100) by nearest rank: the smallest value with p% of values at or below it. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
