// The plain-TypeScript implementation of Engine: the executable specification the wasm kernels are
// tested against, and the baseline of every benchmark.
import { deserialize, serialize } from "node:v8";
import { EVENT_WINDOW } from "../../assembly/constants.js";
import { allocateBatch } from "../ingest/batch.js";
import { FIELDS, type Field, type ListenerOrder, type Profile, type RecommendParams } from "../types.js";
import type { Engine, EngineImage, EngineOptions, EngineStats, FieldStats, GraphSide, RankedId, StoredImage } from "../engine/engine.js";
import { ReferenceGraph, type GraphState } from "./graph.js";
import { referenceExactWalk, type PairDegrees } from "./exact-walk.js";
import { referenceSalsa } from "./salsa.js";

/** External ids -> dense indexes in first-seen order, and back. */
class IdIndex {
  readonly ids: number[] = [];
  private readonly indexes = new Map<number, number>();

  find(id: number): number {
    return this.indexes.get(id) ?? -1;
  }

  /** Takes over the ids of a snapshot, in their index order. */
  restore(ids: number[]): void {
    for (const id of ids) this.findOrAdd(id);
  }

  findOrAdd(id: number): number {
    let index = this.indexes.get(id);
    if (index === undefined) {
      index = this.ids.length;
      this.indexes.set(id, index);
      this.ids.push(id);
    }
    return index;
  }
}

interface ChartEntry {
  item: number;
  count: number;
}

/** A field's state as a snapshot holds it: item ids by index, and per user index its counts and chart. */
interface FieldSnapshot {
  items: number[];
  graph: GraphState;
  playCounts: Map<number, number>[];
  itemPairs: number[];
  charts: ChartEntry[][];
}

/** The whole reference state, serialized with node:v8 (structured clone: Maps, typed arrays, holes). */
interface ReferenceSnapshot {
  users: number[];
  metrics: Profile[];
  fields: Record<Field, FieldSnapshot>;
}

/** The identity of the state's shape: change it whenever ReferenceSnapshot or what it holds changes. */
export const REFERENCE_BUILD = "reference-state-2";

/** One field: items, graph, exact play counts per user (and distinct users per item), incrementally kept top-K charts. */
class FieldState implements PairDegrees {
  readonly items = new IdIndex();
  readonly graph: ReferenceGraph;
  playCounts: Map<number, number>[] = [];
  private itemPairs: number[] = [];
  charts: ChartEntry[][] = [];

  constructor(maxEdges: number, private readonly chartSize: number) {
    this.graph = new ReferenceGraph(maxEdges);
  }

  play(user: number, itemId: number): void {
    const item = this.items.findOrAdd(itemId);
    this.graph.append(user, item);
    const counts = (this.playCounts[user] ??= new Map());
    const count = (counts.get(item) ?? 0) + 1;
    counts.set(item, count);
    if (count === 1) this.itemPairs[item] = (this.itemPairs[item] ?? 0) + 1;
    this.updateChart((this.charts[user] ??= []), item, count);
  }

  ofUser(user: number): number {
    return this.playCounts[user]?.size ?? 0;
  }

  ofItem(item: number): number {
    return this.itemPairs[item] ?? 0;
  }

  /** Distinct (user, item) pairs. */
  pairCount(): number {
    let pairs = 0;
    for (const users of this.itemPairs) pairs += users ?? 0;
    return pairs;
  }

  state(): FieldSnapshot {
    return { items: this.items.ids, graph: this.graph.state(), playCounts: this.playCounts, itemPairs: this.itemPairs, charts: this.charts };
  }

  restore(state: FieldSnapshot): void {
    this.items.restore(state.items);
    this.graph.restore(state.graph);
    this.playCounts = state.playCounts;
    this.itemPairs = state.itemPairs;
    this.charts = state.charts;
  }

  /** Counts only grow by one, so only the played item can move; see assembly/charts.ts. */
  private updateChart(chart: ChartEntry[], item: number, count: number): void {
    let position = chart.findIndex((entry) => entry.item === item);
    if (position < 0) {
      if (chart.length === this.chartSize) {
        if (!this.ranksBefore({ item, count }, chart[chart.length - 1]!)) return;
        chart.pop();
      }
      position = chart.push({ item, count }) - 1;
    }
    const entry = chart[position]!;
    entry.count = count;
    while (position > 0 && this.ranksBefore(entry, chart[position - 1]!)) {
      chart[position] = chart[position - 1]!;
      position--;
    }
    chart[position] = entry;
  }

  private ranksBefore(a: ChartEntry, b: ChartEntry): boolean {
    return a.count > b.count || (a.count === b.count && this.items.ids[a.item]! < this.items.ids[b.item]!);
  }
}

export class ReferenceEngine implements Engine {
  readonly kind = "reference";
  private readonly users = new IdIndex();
  private metrics: Profile[] = [];
  private readonly fields: Record<Field, FieldState>;
  private readonly events = allocateBatch(EVENT_WINDOW);

  constructor(options: EngineOptions) {
    const field = () => new FieldState(options.maxEdgesPerGraph, options.chartSize);
    this.fields = { ARTIST: field(), ALBUM: field(), TRACK: field() };
  }

  /** A new engine with a captured state (of an engine with the same options). */
  static async restore(options: EngineOptions, image: StoredImage): Promise<ReferenceEngine> {
    const bytes = new Uint8Array(image.bytes);
    await image.readInto([bytes]);
    const state = deserialize(bytes) as ReferenceSnapshot;
    const engine = new ReferenceEngine(options);
    engine.users.restore(state.users);
    engine.metrics = state.metrics;
    for (const field of FIELDS) engine.fields[field].restore(state.fields[field]);
    return engine;
  }

  capture(): EngineImage {
    const fields = {} as Record<Field, FieldSnapshot>;
    for (const field of FIELDS) fields[field] = this.fields[field].state();
    // Serializing is the copy: the live arrays and maps are read once, here.
    const state: ReferenceSnapshot = { users: this.users.ids, metrics: this.metrics, fields };
    return { layout: {}, bytes: serialize(state) };
  }

  window() {
    return this.events;
  }

  apply(count: number): void {
    const batch = this.events;
    for (let row = 0; row < count; row++) {
      const userId = batch.userId[row]!;
      const timestamp = batch.timestamp[row]!;
      const user = this.users.findOrAdd(userId);
      const metrics = (this.metrics[user] ??= {
        userId,
        totalListenCount: 0,
        firstListenEvent: timestamp,
        lastListenEvent: timestamp,
      });
      metrics.totalListenCount++;
      metrics.firstListenEvent = Math.min(metrics.firstListenEvent, timestamp);
      metrics.lastListenEvent = Math.max(metrics.lastListenEvent, timestamp);
      this.fields.ARTIST.play(user, batch.artistId[row]!);
      this.fields.ALBUM.play(user, batch.albumId[row]!);
      this.fields.TRACK.play(user, batch.trackId[row]!);
    }
  }

  profile(userId: number): Profile | undefined {
    const metrics = this.metrics[this.users.find(userId)];
    return metrics && { ...metrics };
  }

  chart(userId: number, field: Field, k: number): RankedId[] {
    const state = this.fields[field];
    const chart = state.charts[this.users.find(userId)] ?? [];
    return chart.slice(0, k).map((entry) => ({ id: state.items.ids[entry.item]!, score: entry.count }));
  }

  topUsers(order: ListenerOrder, limit: number): RankedId[] {
    const value = (p: Profile) => (order === "MOST_ACTIVE" ? p.totalListenCount : p.lastListenEvent);
    return this.metrics
      .map((p) => ({ id: p.userId, score: value(p) }))
      .sort((a, b) => b.score - a.score || a.id - b.id)
      .slice(0, limit);
  }

  playCount(userId: number, field: Field, itemId: number): number {
    const state = this.fields[field];
    return state.playCounts[this.users.find(userId)]?.get(state.items.find(itemId)) ?? 0;
  }

  recommend(userId: number, field: Field, params: RecommendParams): RankedId[] {
    const user = this.users.find(userId);
    if (user < 0) return [];
    const state = this.fields[field];
    return params.method === "exact"
      ? referenceExactWalk(state.graph, state, user, state.items.ids, params)
      : referenceSalsa(state.graph, user, state.items.ids, params);
  }

  async recommendAsync(userId: number, field: Field, params: RecommendParams): Promise<RankedId[]> {
    return this.recommend(userId, field, params);
  }

  neighbours(field: Field, side: GraphSide, id: number): number[] {
    const state = this.fields[field];
    const [from, to, adjacency] =
      side === "user" ? [this.users, state.items, state.graph.users] : [state.items, this.users, state.graph.items];
    const node = from.find(id);
    return node < 0 ? [] : adjacency.targets(node).map((target) => to.ids[target]!);
  }

  compact(): void {}

  async close(): Promise<void> {}

  stats(): EngineStats {
    const fields = {} as Record<Field, FieldStats>;
    for (const field of FIELDS) {
      const state = this.fields[field];
      fields[field] = {
        items: state.items.ids.length,
        edges: state.graph.edges(),
        pairs: state.pairCount(),
        graphBytes: state.graph.bytes(),
        chartBytes: 0,
      };
    }
    return { users: this.users.ids.length, fields, totalBytes: process.memoryUsage().heapUsed };
  }
}
