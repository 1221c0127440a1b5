// Both engines against the naive model (test/helpers/naive-model.ts), which shares no code with
// either: on random streams long enough for several merges, unbounded and with segments dropped,
// every profile, chart and play count is the model's, and so is, node by node, the multiset of edges
// in both directions.
import { beforeAll, describe, expect, it } from "vitest";
import { ProfileStore } from "../src/index.js";
import { FIELDS, type ListeningEvent } from "../src/types.js";
import { NaiveModel, type Side } from "./helpers/naive-model.js";
import { randomEvents } from "./helpers/random-events.js";
import { engineOf } from "./helpers/store-engine.js";

/** Events per stream; each is one edge in every field's graph. An unbounded graph merges its delta
 *  at 65,536 edges and then whenever the delta reaches a quarter of the base (assembly/graph.ts):
 *  300,000 edges are four merges and a delta of 37,856 edges. */
const STREAM = 300_000;
const CHART_SIZE = 7;
const FEW = { users: 40, artists: 30, albums: 60, tracks: 200 };
const MANY = { users: 3000, artists: 2000, albums: 6000, tracks: 20_000 };

const CASES = [
  // The busiest user and artist have tens of thousands of edges: more than one output window.
  { name: "few nodes of high degree", seed: 11, sizes: FEW, maxEdgesPerGraph: 0 },
  { name: "many nodes", seed: 12, sizes: MANY, maxEdgesPerGraph: 0 },
  // Segments of 25,000 edges: 12 segments arrive, the oldest 8 are dropped.
  { name: "bounded to 100,000 edges per graph", seed: 13, sizes: MANY, maxEdgesPerGraph: 100_000 },
  // Segments of 60,000 edges: a base spans up to four pages of 65,536 edges (assembly/edgepages.ts),
  // so dropping a segment moves edges across page boundaries.
  { name: "bounded to 240,000 edges per graph", seed: 15, sizes: MANY, maxEdgesPerGraph: 240_000 },
  // Segments of 7,500 edges (the bound is not a multiple of 4); the last one partly filled.
  { name: "bounded to 30,001 edges per graph", seed: 14, sizes: FEW, maxEdgesPerGraph: 30_001 },
];

/** The stream in calls of uneven sizes, one of them longer than the 65,536-event window. */
function* calls(events: ListeningEvent[]): Generator<ListeningEvent[]> {
  const sizes = [1, 99, 70_000, 29_900];
  let start = 0;
  for (let i = 0; start < events.length; i++) {
    const size = sizes[i] ?? 50_000;
    yield events.slice(start, start + size);
    start += size;
  }
}

function sorted(ids: number[]): Float64Array {
  return Float64Array.from(ids).sort();
}

function sameMultiset(actual: number[], expected: number[]): boolean {
  if (actual.length !== expected.length) return false;
  const [a, b] = [sorted(actual), sorted(expected)];
  return a.every((id, i) => id === b[i]);
}

/** Nodes whose edges differ from the model's (the first few), and the edge count each side holds. */
function edgeMismatches(store: ProfileStore, model: NaiveModel): string[] {
  const engine = engineOf(store);
  const mismatches: string[] = [];
  for (const field of FIELDS) {
    for (const side of ["user", "item"] as Side[]) {
      let edges = 0;
      for (const id of model.graphs[field].nodes(side)) {
        const actual = engine.neighbours(field, side, id);
        const expected = model.neighbours(field, side, id);
        edges += actual.length;
        if (!sameMultiset(actual, expected) && mismatches.length < 5) {
          mismatches.push(`${field} ${side} ${id}: ${actual.length} edges, expected ${expected.length}`);
        }
      }
      if (edges !== model.graphs[field].edgeCount()) mismatches.push(`${field} ${side}s: ${edges} edges, expected ${model.graphs[field].edgeCount()}`);
      if (engine.neighbours(field, side, 2 ** 53 - 1).length !== 0) mismatches.push(`${field} ${side}: edges for an unknown id`);
    }
    if (store.stats().fields[field].edges !== model.graphs[field].edgeCount()) mismatches.push(`${field}: stats().edges differs`);
  }
  return mismatches;
}

describe.each(CASES)("wasm and reference against the naive model: $name", ({ seed, sizes, maxEdgesPerGraph }) => {
  const events = randomEvents(STREAM, seed, sizes);
  const model = new NaiveModel({ maxEdgesPerGraph });
  const stores: Record<"wasm" | "reference", ProfileStore> = {} as never;

  beforeAll(async () => {
    model.ingest(events);
    for (const engine of ["wasm", "reference"] as const) {
      const store = (stores[engine] = await ProfileStore.create({ engine, chartSize: CHART_SIZE, maxEdgesPerGraph }));
      for (const call of calls(events)) expect(store.ingest(call).rejected).toBe(0);
    }
  });

  it.each(["wasm", "reference"] as const)("%s has the model's profiles, charts and play counts", (engine) => {
    const store = stores[engine];
    const wrong: string[] = [];
    for (const userId of model.users()) {
      if (JSON.stringify(store.profile(userId)) !== JSON.stringify(model.profile(userId))) wrong.push(`profile ${userId}`);
      for (const field of FIELDS) {
        const chart = store.charts(userId, field).topK;
        if (JSON.stringify(chart) !== JSON.stringify(model.chart(userId, field, CHART_SIZE))) wrong.push(`${field} chart ${userId}`);
        for (const [itemId, plays] of model.playsOf(userId, field)) {
          if (store.playCount(userId, field, itemId) !== plays) wrong.push(`${field} plays ${userId} ${itemId}`);
        }
      }
      if (store.playCount(userId, "TRACK", 2 ** 53 - 1) !== 0) wrong.push(`plays of an unknown track by ${userId}`);
    }
    expect(wrong.slice(0, 5)).toEqual([]);
    expect(store.stats().users).toBe(model.users().length);
    for (const field of FIELDS) {
      const pairs = model.users().reduce((sum, userId) => sum + model.playsOf(userId, field).size, 0);
      expect(store.stats().fields[field].pairs).toBe(pairs);
    }
  });

  it.each(["wasm", "reference"] as const)("%s holds the model's edges, node by node, both ways, before and after compact()", (engine) => {
    const store = stores[engine];
    expect(edgeMismatches(store, model)).toEqual([]);
    store.compact();
    expect(edgeMismatches(store, model)).toEqual([]);
  });
});
