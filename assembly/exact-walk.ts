// The exact three-step walk (docs/salsa.md#the-exact-walk): user -> items -> co-listeners -> items,
// computed by sparse products instead of sampled, with the co-listeners optionally cut to the k most
// similar (a user-based nearest-neighbour step). With every co-listener kept, itemExponent 1 and
// userExponent 1 it is RP3beta (Paudel et al. 2017) on the live graph.
//
//   weight(u, i)  = 1 per distinct pair ("pair"), its plays ("play"), or ln(1 + plays) ("log")
//   sim(v)        = sum over the user's items i of weight(u, i) weight(v, i) / D(i)^itemExponent, / D(v)^userExponent
//   score(j)      = sum over the kept co-listeners v of sim(v) weight(v, j), / D(j)^popularityPenalty
//
// D is a node's degree: distinct pairs (kept by PlayCounts) for pair and log weights, plays (edges) for play.
// Work is bounded: a node with more than `hubCap` edges has `hubCap` of them drawn at random, and its
// sum is scaled up to its degree. Every step keeps the graph's storage order, which the TypeScript
// reference (src/reference/exact-walk.ts) follows, so both add the same numbers in the same order.
import { Adjacency } from "./adjacency";
import { BipartiteGraph } from "./graph";
import { IdMap } from "./idmap";
import { PlayCounts } from "./playcounts";
import { gather, itemDegree, power, userDegree, weightAt } from "./exact-gather";
import { seedRandom } from "./random";
import { ridgeScores } from "./ridge";
import { NEIGHBOUR_BYTES, WalkScratch } from "./scratch";
import { insertRanked } from "./scoring";

/**
 * Recommendations for `user` as rows (id, score) in the scratch's output; returns the row count.
 * The scratch must be sized for the graph's users and items (WalkScratch.ensure).
 */
export function exactWalk(
  graph: BipartiteGraph,
  counts: PlayCounts,
  itemIds: IdMap,
  user: u32,
  limit: u32,
  seed: u32,
  scratch: WalkScratch,
): u32 {
  seedRandom(seed);
  const walk = scratch.exactParams;
  const weighting = walk.weighting;
  const query = scratch.queryTargets;
  const node = scratch.nodeTargets;
  const queryItems = gather(graph.users, user, counts.pairsOfUser(user), scratch, query, scratch.itemStamps, scratch.itemSlots, scratch.nextEpoch());

  // Co-listeners: what each of the user's items passes on to its listeners.
  const userScores = scratch.userScores;
  const touchedUsers = scratch.touchedUsers;
  let touchedUserCount: u32 = 0;
  for (let a: u32 = 0; a < queryItems; a++) {
    const item = load<u32>(query + (<usize>a << 3));
    const gathered = gather(graph.items, item, counts.pairsOfItem(item), scratch, node, scratch.userStamps, scratch.userSlots, scratch.nextEpoch());
    const share = (weightAt(query, a, weighting) * scratch.sampleScale) / power(itemDegree(graph, counts, item, weighting), walk.itemExponent);
    for (let b: u32 = 0; b < gathered; b++) {
      const other = load<u32>(node + (<usize>b << 3));
      if (other == user) continue;
      const score = userScores + (<usize>other << 3);
      const before = load<f64>(score);
      if (before == 0) {
        store<u32>(touchedUsers + (<usize>touchedUserCount << 2), other);
        touchedUserCount++;
      }
      store<f64>(score, before + share * weightAt(node, b, weighting));
    }
  }
  for (let t: u32 = 0; t < touchedUserCount; t++) {
    const other = load<u32>(touchedUsers + (<usize>t << 2));
    const score = userScores + (<usize>other << 3);
    store<f64>(score, load<f64>(score) / power(userDegree(graph, counts, other, weighting), walk.userExponent));
  }
  const kept = keepNearest(walk.neighbours, touchedUserCount, scratch);

  // Items of the kept co-listeners, each weighted by the co-listener's similarity (or, with a ridge,
  // by its regression weight: assembly/ridge.ts). The user's own items are marked negative so that
  // they are never scored.
  const itemScores = scratch.itemScores;
  const touchedItems = scratch.touchedItems;
  const touchedItemCount = walk.ridge > 0 ? ridgeScores(graph, counts, user, kept, touchedUserCount, scratch) : scoreItems(graph, counts, user, kept, touchedUserCount, scratch);
  for (let t: u32 = 0; t < touchedUserCount; t++) store<f64>(userScores + (<usize>load<u32>(touchedUsers + (<usize>t << 2)) << 3), 0);
  markOwnItems(graph.users, user, itemScores, 0);

  let rows: u32 = 0;
  for (let t: u32 = 0; t < touchedItemCount; t++) {
    const item = load<u32>(touchedItems + (<usize>t << 2));
    const score = itemScores + (<usize>item << 3);
    const value = load<f64>(score) / power(itemDegree(graph, counts, item, weighting), walk.popularityPenalty);
    store<f64>(score, 0);
    if (value > 0) rows = insertRanked(scratch.output, rows, limit, <f64>itemIds.idAt(item), value);
  }
  return rows;
}

/** The walk's last step: every kept co-listener's items, weighted by its similarity; returns the items touched. */
function scoreItems(graph: BipartiteGraph, counts: PlayCounts, user: u32, kept: u32, touchedUserCount: u32, scratch: WalkScratch): u32 {
  const weighting = scratch.exactParams.weighting;
  const node = scratch.nodeTargets;
  const userScores = scratch.userScores;
  const touchedUsers = scratch.touchedUsers;
  const itemScores = scratch.itemScores;
  const touchedItems = scratch.touchedItems;
  markOwnItems(graph.users, user, itemScores, -1);
  let touchedItemCount: u32 = 0;
  for (let t: u32 = 0; t < touchedUserCount; t++) {
    const other = load<u32>(touchedUsers + (<usize>t << 2));
    if (load<u32>(scratch.userStamps + (<usize>other << 2)) != kept) continue;
    const gathered = gather(graph.users, other, counts.pairsOfUser(other), scratch, node, scratch.itemStamps, scratch.itemSlots, scratch.nextEpoch());
    const share = load<f64>(userScores + (<usize>other << 3)) * scratch.sampleScale;
    for (let b: u32 = 0; b < gathered; b++) {
      const item = load<u32>(node + (<usize>b << 3));
      const score = itemScores + (<usize>item << 3);
      const before = load<f64>(score);
      if (before < 0) continue;
      if (before == 0) {
        store<u32>(touchedItems + (<usize>touchedItemCount << 2), item);
        touchedItemCount++;
      }
      store<f64>(score, before + share * weightAt(node, b, weighting));
    }
  }
  return touchedItemCount;
}

/** Sets the score of every item the user has an edge to (all of them, never sampled). */
function markOwnItems(users: Adjacency, user: u32, itemScores: usize, value: f64): void {
  const degree = users.degree(user);
  for (let position: u32 = 0; position < degree; position++) store<f64>(itemScores + (<usize>users.edgeAt(user, position) << 3), value);
}

/**
 * Stamps the `neighbours` touched users of highest similarity (ties: the lower index) with a fresh
 * epoch and returns it; with neighbours 0, or no more touched users than that, stamps every one.
 */
function keepNearest(neighbours: u32, touchedCount: u32, scratch: WalkScratch): u32 {
  const epoch = scratch.nextEpoch();
  const stamps = scratch.userStamps;
  const touched = scratch.touchedUsers;
  const scores = scratch.userScores;
  if (neighbours == 0 || touchedCount <= neighbours) {
    for (let t: u32 = 0; t < touchedCount; t++) store<u32>(stamps + (<usize>load<u32>(touched + (<usize>t << 2)) << 2), epoch);
    return epoch;
  }
  // A min-heap of the best `neighbours` so far, its root the worst of them.
  const heap = scratch.neighbourHeap;
  let size: u32 = 0;
  for (let t: u32 = 0; t < touchedCount; t++) {
    const user = load<u32>(touched + (<usize>t << 2));
    const score = load<f64>(scores + (<usize>user << 3));
    if (size < neighbours) {
      siftUp(heap, size, score, user);
      size++;
    } else if (better(score, user, load<f64>(heap), load<u32>(heap, 8))) {
      siftDown(heap, size, score, user);
    }
  }
  for (let h: u32 = 0; h < size; h++) store<u32>(stamps + (<usize>load<u32>(heap + <usize>h * NEIGHBOUR_BYTES, 8) << 2), epoch);
  return epoch;
}

@inline function better(score: f64, user: u32, otherScore: f64, otherUser: u32): bool {
  return score > otherScore || (score == otherScore && user < otherUser);
}

@inline function setEntry(heap: usize, index: u32, score: f64, user: u32): void {
  const entry = heap + <usize>index * NEIGHBOUR_BYTES;
  store<f64>(entry, score);
  store<u32>(entry, user, 8);
}

function siftUp(heap: usize, size: u32, score: f64, user: u32): void {
  let index = size;
  while (index > 0) {
    const parent = (index - 1) >> 1;
    const entry = heap + <usize>parent * NEIGHBOUR_BYTES;
    if (!better(load<f64>(entry), load<u32>(entry, 8), score, user)) break;
    memory.copy(heap + <usize>index * NEIGHBOUR_BYTES, entry, NEIGHBOUR_BYTES);
    index = parent;
  }
  setEntry(heap, index, score, user);
}

/** Replaces the root (the worst entry) with (score, user) and restores the heap. */
function siftDown(heap: usize, size: u32, score: f64, user: u32): void {
  let index: u32 = 0;
  while (true) {
    const left: u32 = 2 * index + 1;
    if (left >= size) break;
    let child = left;
    const right = left + 1;
    if (right < size) {
      const l = heap + <usize>left * NEIGHBOUR_BYTES;
      const r = heap + <usize>right * NEIGHBOUR_BYTES;
      if (better(load<f64>(l), load<u32>(l, 8), load<f64>(r), load<u32>(r, 8))) child = right;
    }
    const entry = heap + <usize>child * NEIGHBOUR_BYTES;
    if (!better(score, user, load<f64>(entry), load<u32>(entry, 8))) break;
    memory.copy(heap + <usize>index * NEIGHBOUR_BYTES, entry, NEIGHBOUR_BYTES);
    index = child;
  }
  setEntry(heap, index, score, user);
}
