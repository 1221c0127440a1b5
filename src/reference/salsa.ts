// Reference SALSA: the same walk as assembly/salsa.ts (same draw order per walker and half-step),
// one plain loop per half-step, then the same ranking as assembly/scoring.ts.
import { Mulberry32, resetThreshold } from "../engine/random.js";
import type { RankedId } from "../engine/engine.js";
import type { RecommendParams } from "../types.js";
import type { ReferenceGraph } from "./graph.js";

const WAITING = -1;

/** Visit counters by item index, kept between requests and cleared after each (as the kernel does). */
let visits = new Uint32Array(0);

export function referenceSalsa(
  graph: ReferenceGraph,
  queryUser: number,
  itemIds: readonly number[],
  params: RecommendParams,
): RankedId[] {
  const { users, items } = graph;
  if (users.degree(queryUser) === 0) return [];
  const random = new Mulberry32(params.seed);
  const threshold = resetThreshold(params.resetProbability);
  const positions = new Int32Array(params.walks).fill(queryUser);
  if (visits.length < itemIds.length) visits = new Uint32Array(itemIds.length);
  const touched: number[] = [];
  for (let step = 0; step < params.walkLength; step++) {
    for (let w = 0; w < params.walks; w++) {
      const at = positions[w]!;
      if (step % 2 === 1) {
        positions[w] = at === WAITING ? queryUser : items.edgeAt(at, random.below(items.degree(at)));
      } else if (random.next() < threshold) {
        positions[w] = WAITING;
      } else {
        const item = users.edgeAt(at, random.below(users.degree(at)));
        positions[w] = item;
        if (visits[item]++ === 0) touched.push(item);
      }
    }
  }
  for (let p = 0; p < users.degree(queryUser); p++) visits[users.edgeAt(queryUser, p)] = 0;
  const rows: RankedId[] = [];
  for (const item of touched) {
    const visited = visits[item]!;
    if (visited > 0) rows.push({ id: itemIds[item]!, score: params.popularityPenalty === 0 ? visited : visited / Math.pow(items.degree(item), params.popularityPenalty) });
    visits[item] = 0;
  }
  return rank(rows, params.limit);
}

/** Best first: score descending, then id ascending. */
export function rank(rows: RankedId[], limit: number): RankedId[] {
  return rows.sort((a, b) => b.score - a.score || a.id - b.id).slice(0, limit);
}
