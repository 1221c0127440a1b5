// Reference exact walk: the computation of assembly/exact-walk.ts in plain TypeScript, over the
// reference graph and pair degrees, adding the same numbers in the same order (and drawing the same
// samples from the same generator), so that both give the same rows.
import { Mulberry32 } from "../engine/random.js";
import type { RankedId } from "../engine/engine.js";
import type { RecommendParams } from "../types.js";
import type { ReferenceGraph } from "./graph.js";
import { ridgeScores, type RidgeRow } from "./ridge.js";
import { rank } from "./salsa.js";

/** Distinct (user, item) pairs per user and per item: the degrees of the graph with one edge per pair. */
export interface PairDegrees {
  ofUser(user: number): number;
  ofItem(item: number): number;
}

type Adjacency = ReferenceGraph["users"];

/** A node's distinct targets in order of first sight with their edge counts, and the factor that scales a sample up to the node's degree. */
interface Gathered {
  targets: number[];
  counts: number[];
  scale: number;
}

export function referenceExactWalk(
  graph: ReferenceGraph,
  pairs: PairDegrees,
  queryUser: number,
  itemIds: readonly number[],
  params: RecommendParams,
): RankedId[] {
  const { users, items } = graph;
  if (users.degree(queryUser) === 0) return [];
  const random = new Mulberry32(params.seed);
  // Degrees and samples count distinct pairs for pair and log weights, edges for play weights.
  const byPairs = params.edgeWeight !== "play";
  const weightOf = (plays: number) => (params.edgeWeight === "pair" ? 1 : params.edgeWeight === "log" ? Math.log1p(plays) : plays);
  const weight = (gathered: Gathered, index: number) => weightOf(gathered.counts[index]!);
  const userDegree = (user: number) => (byPairs ? pairs.ofUser(user) : users.degree(user));
  const itemDegree = (item: number) => (byPairs ? pairs.ofItem(item) : items.degree(item));
  const gather = (adjacency: Adjacency, node: number, pairDegree: number): Gathered => {
    const degree = adjacency.degree(node);
    const sampled = degree > params.hubCap;
    const draws = sampled ? params.hubCap : degree;
    const slots = new Map<number, number>();
    const targets: number[] = [];
    const counts: number[] = [];
    for (let d = 0; d < draws; d++) {
      const target = adjacency.edgeAt(node, sampled ? random.below(degree) : d);
      const slot = slots.get(target);
      if (slot !== undefined) {
        counts[slot]!++;
        continue;
      }
      slots.set(target, targets.length);
      targets.push(target);
      counts.push(1);
    }
    const scale = !sampled ? 1 : byPairs ? pairDegree / targets.length : degree / draws;
    return { targets, counts, scale };
  };

  const query = gather(users, queryUser, pairs.ofUser(queryUser));
  const similarity = new Map<number, number>();
  query.targets.forEach((item, a) => {
    const listeners = gather(items, item, pairs.ofItem(item));
    const share = (weight(query, a) * listeners.scale) / power(itemDegree(item), params.itemExponent);
    listeners.targets.forEach((other, b) => {
      if (other !== queryUser) similarity.set(other, (similarity.get(other) ?? 0) + share * weight(listeners, b));
    });
  });
  for (const [other, sum] of similarity) similarity.set(other, sum / power(userDegree(other), params.userExponent));
  const kept = nearest(similarity, params.neighbours);

  const own = new Set(users.targets(queryUser));
  const scores = new Map<number, number>();
  if (params.ridge > 0) {
    const rows: RidgeRow[] = [];
    for (const other of similarity.keys()) {
      if (!kept.has(other)) continue;
      const listened = gather(users, other, pairs.ofUser(other));
      rows.push({ items: listened.targets, weights: listened.targets.map((_, b) => weight(listened, b)) });
    }
    const ownWeights = new Map<number, number>();
    for (const item of users.targets(queryUser)) ownWeights.set(item, (ownWeights.get(item) ?? 0) + 1);
    for (const [item, plays] of ownWeights) ownWeights.set(item, weightOf(plays));
    for (const [item, score] of ridgeScores(rows, ownWeights, params.ridge)) scores.set(item, score);
  } else {
    for (const [other, sim] of similarity) {
      if (!kept.has(other)) continue;
      const listened = gather(users, other, pairs.ofUser(other));
      const share = sim * listened.scale;
      listened.targets.forEach((item, b) => {
        if (!own.has(item)) scores.set(item, (scores.get(item) ?? 0) + share * weight(listened, b));
      });
    }
  }
  const rows: RankedId[] = [];
  for (const [item, score] of scores) {
    const value = score / power(itemDegree(item), params.popularityPenalty);
    if (value > 0) rows.push({ id: itemIds[item]!, score: value });
  }
  return rank(rows, params.limit);
}

/** The `neighbours` users of highest similarity, ties to the lower index; every one when neighbours is 0. */
function nearest(similarity: Map<number, number>, neighbours: number): Set<number> {
  if (neighbours === 0 || similarity.size <= neighbours) return new Set(similarity.keys());
  const best = [...similarity].sort(([userA, a], [userB, b]) => b - a || userA - userB).slice(0, neighbours);
  return new Set(best.map(([user]) => user));
}

/** x^e, exact for the exponents 0 and 1, as the kernel computes it. */
function power(x: number, e: number): number {
  return e === 0 ? 1 : e === 1 ? x : Math.pow(x, e);
}
