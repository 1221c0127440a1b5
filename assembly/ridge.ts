// The exact walk's last step with a ridge (docs/salsa.md#the-exact-walk): instead of weighting each
// kept co-listener by its similarity, weigh them by the ridge regression of the user's row onto
// theirs, solved per request on the live graph (a local, user-side EASE: Steck 2019, with the
// co-listeners as the only regressors):
//
//   w = (X X^T + ridge I)^-1 X x_u      X: the kept co-listeners' rows (their gathered edges, weighted)
//   score(j) = sum over the kept v of w(v) weight(v, j), for every item j the user has no edge to
//
// x_u is the user's whole row (every edge). Work: the Gram matrix by items (each item adds its
// co-listeners' pairs), then a Cholesky solve of k x k, k at most MAX_RIDGE_NEIGHBOURS; the
// co-listeners' rows, at most MAX_RIDGE_ENTRIES edges in all, are gathered once and kept.
// src/reference/ridge.ts adds the same numbers in the same order.
import { BipartiteGraph } from "./graph";
import { gather, weightAt } from "./exact-gather";
import { PlayCounts } from "./playcounts";
import { WalkScratch } from "./scratch";
import { WEIGHT_LOG, WEIGHT_PAIR } from "./constants";

/**
 * Scores the items of the co-listeners stamped `kept` into the scratch's itemScores (the user's own
 * items left negative: minus their weight) and lists them in touchedItems; returns how many.
 */
export function ridgeScores(graph: BipartiteGraph, counts: PlayCounts, user: u32, kept: u32, touchedUserCount: u32, scratch: WalkScratch): u32 {
  const weighting = scratch.exactParams.weighting;
  const itemScores = scratch.itemScores;
  const itemStamps = scratch.itemStamps;
  const itemSlots = scratch.itemSlots;
  const touchedItems = scratch.touchedItems;
  const rows = scratch.ridgeRows;

  // The user's row, as minus its weights in itemScores (the walk's mark of own items).
  const users = graph.users;
  const degree = users.degree(user);
  for (let position: u32 = 0; position < degree; position++) {
    const score = itemScores + (<usize>users.edgeAt(user, position) << 3);
    store<f64>(score, weighting == WEIGHT_PAIR ? -1 : load<f64>(score) - 1);
  }
  if (weighting == WEIGHT_LOG) {
    // Minus the plays, now minus ln(1 + plays): once per item, the first time its edge comes by.
    const epoch = scratch.nextEpoch();
    for (let position: u32 = 0; position < degree; position++) {
      const item = users.edgeAt(user, position);
      const stamp = itemStamps + (<usize>item << 2);
      if (load<u32>(stamp) == epoch) continue;
      store<u32>(stamp, epoch);
      const score = itemScores + (<usize>item << 3);
      store<f64>(score, -Math.log1p(-load<f64>(score)));
    }
  }

  // The kept co-listeners' rows, in the order they were touched.
  let k: u32 = 0;
  let entries: u32 = 0;
  const node = scratch.nodeTargets;
  const touchedUsers = scratch.touchedUsers;
  for (let t: u32 = 0; t < touchedUserCount; t++) {
    const other = load<u32>(touchedUsers + (<usize>t << 2));
    if (load<u32>(scratch.userStamps + (<usize>other << 2)) != kept) continue;
    const gathered = gather(users, other, counts.pairsOfUser(other), scratch, node, itemStamps, itemSlots, scratch.nextEpoch());
    for (let b: u32 = 0; b < gathered; b++) {
      const entry = rows + (<usize>(entries + b) << 3);
      store<u32>(entry, load<u32>(node + (<usize>b << 3)));
      store<f64>(scratch.ridgeValues + (<usize>(entries + b) << 3), weightAt(node, b, weighting));
      store<u32>(entry, k, 4);
    }
    entries += gathered;
    k++;
  }

  // The same entries by item (counting sort): items in order of first sight, each item's co-listeners ascending.
  const columns = scratch.ridgeColumns;
  const columnValues = scratch.ridgeColumnValues;
  const epoch = scratch.nextEpoch();
  let items: u32 = 0;
  for (let e: u32 = 0; e < entries; e++) {
    const item = load<u32>(rows + (<usize>e << 3));
    const stamp = itemStamps + (<usize>item << 2);
    if (load<u32>(stamp) != epoch) {
      store<u32>(stamp, epoch);
      store<u32>(itemSlots + (<usize>item << 2), 0);
      store<u32>(touchedItems + (<usize>items << 2), item);
      items++;
    }
    const slot = itemSlots + (<usize>item << 2);
    store<u32>(slot, load<u32>(slot) + 1);
  }
  let start: u32 = 0;
  for (let t: u32 = 0; t < items; t++) {
    const slot = itemSlots + (<usize>load<u32>(touchedItems + (<usize>t << 2)) << 2);
    const count = load<u32>(slot);
    store<u32>(slot, start);
    start += count;
  }
  for (let e: u32 = 0; e < entries; e++) {
    const slot = itemSlots + (<usize>load<u32>(rows + (<usize>e << 3)) << 2);
    const at = load<u32>(slot);
    store<u32>(slot, at + 1);
    store<u32>(columns + (<usize>at << 2), load<u32>(rows + (<usize>e << 3), 4));
    store<f64>(columnValues + (<usize>at << 3), load<f64>(scratch.ridgeValues + (<usize>e << 3)));
  }

  // Gram matrix (lower triangle, row-major k x k) and X x_u.
  const gram = scratch.ridgeGram;
  const weights = scratch.ridgeWeights;
  const values = scratch.ridgeValues;
  memory.fill(gram, 0, <usize>k * <usize>k << 3);
  memory.fill(weights, 0, <usize>k << 3);
  start = 0;
  for (let t: u32 = 0; t < items; t++) {
    const item = load<u32>(touchedItems + (<usize>t << 2));
    const end = load<u32>(itemSlots + (<usize>item << 2));
    const own = -load<f64>(itemScores + (<usize>item << 3));
    for (let a = start; a < end; a++) {
      const sa = load<u32>(columns + (<usize>a << 2));
      const wa = load<f64>(columnValues + (<usize>a << 3));
      if (own > 0) {
        const r = weights + (<usize>sa << 3);
        store<f64>(r, load<f64>(r) + wa * own);
      }
      const line = gram + (<usize>sa * <usize>k << 3);
      for (let b = start; b <= a; b++) {
        const cell = line + (<usize>load<u32>(columns + (<usize>b << 2)) << 3);
        store<f64>(cell, load<f64>(cell) + wa * load<f64>(columnValues + (<usize>b << 3)));
      }
    }
    start = end;
  }
  const ridge = scratch.exactParams.ridge;
  for (let s: u32 = 0; s < k; s++) {
    const cell = gram + ((<usize>s * <usize>k + <usize>s) << 3);
    store<f64>(cell, load<f64>(cell) + ridge);
  }
  choleskySolve(gram, weights, k);

  // Scores: every kept co-listener's row times its weight; the user's own items are never scored.
  const ownEpoch = scratch.nextEpoch();
  for (let position: u32 = 0; position < degree; position++) store<u32>(itemStamps + (<usize>users.edgeAt(user, position) << 2), ownEpoch);
  const scored = scratch.nextEpoch();
  let touchedItemCount: u32 = 0;
  for (let e: u32 = 0; e < entries; e++) {
    const item = load<u32>(rows + (<usize>e << 3));
    const stamp = itemStamps + (<usize>item << 2);
    const seen = load<u32>(stamp);
    if (seen == ownEpoch) continue;
    const score = itemScores + (<usize>item << 3);
    if (seen != scored) {
      store<u32>(stamp, scored);
      store<u32>(touchedItems + (<usize>touchedItemCount << 2), item);
      touchedItemCount++;
    }
    store<f64>(score, load<f64>(score) + load<f64>(weights + (<usize>load<u32>(rows + (<usize>e << 3), 4) << 3)) * load<f64>(values + (<usize>e << 3)));
  }
  return touchedItemCount;
}

/**
 * Solves A x = b in place for symmetric positive definite A (its lower triangle, row-major n x n,
 * overwritten by the Cholesky factor L) and b (overwritten by x). Every sum runs over ascending c,
 * as the reference's loops do.
 */
export function choleskySolve(a: usize, b: usize, n: u32): void {
  const stride = <usize>n << 3;
  for (let j: u32 = 0; j < n; j++) {
    const rowJ = a + <usize>j * stride;
    const cellJ = rowJ + (<usize>j << 3);
    const d = Math.sqrt(dot(rowJ, rowJ, j, load<f64>(cellJ)));
    store<f64>(cellJ, d);
    // Two rows at a time, sharing the loads of row j; each row's sum is dot's.
    let i = j + 1;
    for (; i + 1 < n; i += 2) {
      const rowI = a + <usize>i * stride;
      const cell = rowI + (<usize>j << 3);
      dotTwo(rowI, rowI + stride, rowJ, j, cell);
      store<f64>(cell, load<f64>(cell) / d);
      store<f64>(cell + stride, load<f64>(cell + stride) / d);
    }
    if (i < n) {
      const rowI = a + <usize>i * stride;
      const cell = rowI + (<usize>j << 3);
      store<f64>(cell, dot(rowI, rowJ, j, load<f64>(cell)) / d);
    }
  }
  for (let i: u32 = 0; i < n; i++) {
    const rowI = a + <usize>i * stride;
    const cell = b + (<usize>i << 3);
    store<f64>(cell, dot(rowI, b, i, load<f64>(cell)) / load<f64>(rowI + (<usize>i << 3)));
  }
  for (let i = <i32>n - 1; i >= 0; i--) {
    const cell = b + (<usize>i << 3);
    let sum = load<f64>(cell);
    let column = a + (<usize>(i + 1)) * stride + (<usize>i << 3);
    let x = cell + 8;
    const end = b + (<usize>n << 3);
    while (x < end) {
      sum -= load<f64>(column) * load<f64>(x);
      column += stride;
      x += 8;
    }
    store<f64>(cell, sum / load<f64>(a + <usize>i * stride + (<usize>i << 3)));
  }
}

/**
 * dot(x, z, count, *first) into *first and dot(y, z, count, *second) into *second, second the same
 * cell of y's row as first of x's: the same sums as two calls of dot, with z's loads shared.
 */
@inline function dotTwo(x: usize, y: usize, z: usize, count: u32, first: usize): void {
  const second = first + (y - x);
  let lowX = f64x2(load<f64>(first), 0);
  let highX = f64x2(0, 0);
  let lowY = f64x2(load<f64>(second), 0);
  let highY = f64x2(0, 0);
  const end4 = z + (<usize>(count & ~3) << 3);
  while (z < end4) {
    const z0 = v128.load(z);
    const z1 = v128.load(z, 16);
    lowX = f64x2.sub(lowX, f64x2.mul(v128.load(x), z0));
    highX = f64x2.sub(highX, f64x2.mul(v128.load(x, 16), z1));
    lowY = f64x2.sub(lowY, f64x2.mul(v128.load(y), z0));
    highY = f64x2.sub(highY, f64x2.mul(v128.load(y, 16), z1));
    x += 32;
    y += 32;
    z += 32;
  }
  store<f64>(first, finish(lowX, highX, x, z, count & 3));
  store<f64>(second, finish(lowY, highY, y, z, count & 3));
}

/** The lanes' tail (the last count % 4 products, into lanes 0, 1, 2) and their sum, as dot ends. */
@inline function finish(low: v128, high: v128, x: usize, y: usize, rest: u32): f64 {
  let lane0 = f64x2.extract_lane(low, 0);
  let lane1 = f64x2.extract_lane(low, 1);
  let lane2 = f64x2.extract_lane(high, 0);
  if (rest > 0) lane0 -= load<f64>(x) * load<f64>(y);
  if (rest > 1) lane1 -= load<f64>(x, 8) * load<f64>(y, 8);
  if (rest > 2) lane2 -= load<f64>(x, 16) * load<f64>(y, 16);
  return (lane0 + lane1) + (lane2 + f64x2.extract_lane(high, 1));
}

/**
 * start - sum over c < count of x[c] y[c], in four lanes: lane c % 4 takes x[c] y[c] (lane 0 starts
 * at `start`, the others at 0), each subtracting in ascending c, and the result is
 * (lane0 + lane1) + (lane2 + lane3). Two f64x2 accumulators; src/reference/ridge.ts follows the order.
 */
@inline function dot(x: usize, y: usize, count: u32, start: f64): f64 {
  let low = f64x2(start, 0);
  let high = f64x2(0, 0);
  const end4 = x + (<usize>(count & ~3) << 3);
  while (x < end4) {
    low = f64x2.sub(low, f64x2.mul(v128.load(x), v128.load(y)));
    high = f64x2.sub(high, f64x2.mul(v128.load(x, 16), v128.load(y, 16)));
    x += 32;
    y += 32;
  }
  return finish(low, high, x, y, count & 3);
}
