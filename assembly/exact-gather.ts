// The exact walk's reads of the graph (assembly/exact-walk.ts, assembly/ridge.ts): a node's edges,
// every one or `hubCap` drawn at random, gathered as (target, count) pairs, and the degrees and
// weights of the walk's weighting.
import { Adjacency } from "./adjacency";
import { BipartiteGraph } from "./graph";
import { PlayCounts } from "./playcounts";
import { randomBelow } from "./random";
import { WalkScratch } from "./scratch";
import { WEIGHT_LOG, WEIGHT_PAIR, WEIGHT_PLAY } from "./constants";

/**
 * Collects the targets of `node`'s edges (every edge, or `hubCap` drawn at random when it has more)
 * into `buffer` as (target, count) pairs, each distinct target once in order of first sight; returns
 * how many, and sets the scratch's `sampleScale` to the factor that scales the sample up to the node's
 * degree. (No module globals: a snapshot of the kernels is their memory alone.)
 */
export function gather(adjacency: Adjacency, node: u32, pairDegree: u32, scratch: WalkScratch, buffer: usize, stamps: usize, slots: usize, epoch: u32): u32 {
  const walk = scratch.exactParams;
  const degree = adjacency.degree(node);
  const sampled = degree > walk.hubCap;
  const draws = sampled ? walk.hubCap : degree;
  let distinct: u32 = 0;
  for (let d: u32 = 0; d < draws; d++) {
    const target = adjacency.edgeAt(node, sampled ? randomBelow(degree) : d);
    const stamp = stamps + (<usize>target << 2);
    if (load<u32>(stamp) == epoch) {
      const count = buffer + (<usize>load<u32>(slots + (<usize>target << 2)) << 3) + 4;
      store<u32>(count, load<u32>(count) + 1);
      continue;
    }
    store<u32>(stamp, epoch);
    store<u32>(slots + (<usize>target << 2), distinct);
    store<u32>(buffer + (<usize>distinct << 3), target);
    store<u32>(buffer + (<usize>distinct << 3), 1, 4);
    distinct++;
  }
  scratch.sampleScale = !sampled ? 1 : degreesInPairs(walk.weighting) ? <f64>pairDegree / <f64>distinct : <f64>degree / <f64>draws;
  return distinct;
}

/** Whether degrees and samples count distinct pairs (pair and log weights) or edges (play weights). */
@inline function degreesInPairs(weighting: u32): bool {
  return weighting != WEIGHT_PLAY;
}

/** The weight of the gathered target at `index`: 1, its edge count (plays), or ln(1 + plays). */
@inline export function weightAt(buffer: usize, index: u32, weighting: u32): f64 {
  if (weighting == WEIGHT_PAIR) return 1;
  const plays = <f64>load<u32>(buffer + (<usize>index << 3), 4);
  return weighting == WEIGHT_LOG ? Math.log1p(plays) : plays;
}

/** A node's degree in the walk's weighting. */
@inline export function userDegree(graph: BipartiteGraph, counts: PlayCounts, user: u32, weighting: u32): f64 {
  return degreesInPairs(weighting) ? <f64>counts.pairsOfUser(user) : <f64>graph.users.degree(user);
}
@inline export function itemDegree(graph: BipartiteGraph, counts: PlayCounts, item: u32, weighting: u32): f64 {
  return degreesInPairs(weighting) ? <f64>counts.pairsOfItem(item) : <f64>graph.items.degree(item);
}

/** x^e, exact for the exponents 0 and 1 that the reference must match bit for bit. */
@inline export function power(x: f64, e: f64): f64 {
  return e == 0 ? 1 : e == 1 ? x : Math.pow(x, e);
}
