// The wasm ABI: numbers, pointers and lengths only. The host writes event columns into the event
// window, calls `ingest`, and reads results from the output window (rows of two f64s).
import { EVENT_WINDOW, OUTPUT_ROWS, MAX_CHART_SIZE, FIELD_COUNT } from "./constants";
import { IdMap } from "./idmap";
import { BipartiteGraph } from "./graph";
import { PlayCounts } from "./playcounts";
import { Charts } from "./charts";
import { UserMetrics } from "./metrics";
import { walk } from "./salsa";
import { rankVisits } from "./scoring";
import { resize } from "./memory";

// Event window: five f64 columns (userId, artistId, albumId, trackId, timestamp) of EVENT_WINDOW rows.
const eventColumns = heap.alloc(<usize>EVENT_WINDOW * 8 * 5);
const userIndexes = heap.alloc(<usize>EVENT_WINDOW * 4);
const output = heap.alloc(<usize>OUTPUT_ROWS * 16);

const userIds = new IdMap();
const metrics = new UserMetrics();
const itemIds = new StaticArray<usize>(FIELD_COUNT);
const graphs = new StaticArray<usize>(FIELD_COUNT);
const playCounts = new StaticArray<usize>(FIELD_COUNT);
const charts = new StaticArray<usize>(FIELD_COUNT);

// Walk scratch, sized to the largest item count: visit counters and the list of visited items.
let visits: usize = 0;
let touched: usize = 0;
let scratchItems: u32 = 0;

export function eventWindow(): usize {
  return eventColumns;
}

export function outputWindow(): usize {
  return output;
}

/** Sets chart size K and the per-graph edge bound (0 = unbounded). Call once, before anything else. */
export function init(chartSize: u32, maxEdges: u32): void {
  const k = min<u32>(max<u32>(chartSize, 1), MAX_CHART_SIZE);
  for (let field = 0; field < FIELD_COUNT; field++) {
    unchecked((itemIds[field] = changetype<usize>(new IdMap())));
    unchecked((graphs[field] = changetype<usize>(new BipartiteGraph(maxEdges))));
    unchecked((playCounts[field] = changetype<usize>(new PlayCounts())));
    unchecked((charts[field] = changetype<usize>(new Charts(k))));
  }
}

@inline function itemsOf(field: i32): IdMap {
  return changetype<IdMap>(unchecked(itemIds[field]));
}
@inline function graphOf(field: i32): BipartiteGraph {
  return changetype<BipartiteGraph>(unchecked(graphs[field]));
}
@inline function countsOf(field: i32): PlayCounts {
  return changetype<PlayCounts>(unchecked(playCounts[field]));
}
@inline function chartsOf(field: i32): Charts {
  return changetype<Charts>(unchecked(charts[field]));
}
@inline function column(index: i32): usize {
  return eventColumns + <usize>index * EVENT_WINDOW * 8;
}

/** Applies the first `count` events of the event window (already validated by the host). */
export function ingest(count: u32): void {
  const timestamps = column(4);
  for (let row: u32 = 0; row < count; row++) {
    const known = userIds.count;
    const user = userIds.findOrAdd(<u64>load<f64>(eventColumns + (<usize>row << 3)));
    metrics.record(user, <i64>load<f64>(timestamps + (<usize>row << 3)), user == known);
    store<u32>(userIndexes + (<usize>row << 2), user);
  }
  // Field by field, so each field's tables stay warm in cache through the batch.
  for (let field = 0; field < FIELD_COUNT; field++) {
    const ids = column(1 + field);
    const items = itemsOf(field);
    const graph = graphOf(field);
    const counts = countsOf(field);
    const fieldCharts = chartsOf(field);
    for (let row: u32 = 0; row < count; row++) {
      const user = load<u32>(userIndexes + (<usize>row << 2));
      const item = items.findOrAdd(<u64>load<f64>(ids + (<usize>row << 3)));
      graph.append(user, item);
      fieldCharts.update(user, item, counts.increment(user, item), items);
    }
  }
}

/** Dense index of a user id, or -1 when unknown. */
export function findUser(id: f64): i32 {
  return userIds.find(<u64>id);
}

/** Writes the user's count, first and last listen as one row of three f64s. */
export function profile(user: u32): void {
  const record = metrics.address(user);
  store<f64>(output, <f64>load<u64>(record));
  store<f64>(output, <f64>load<i64>(record, 8), 8);
  store<f64>(output, <f64>load<i64>(record, 16), 16);
}

/** Writes the user's top-k chart as rows (id, count); returns the row count. */
export function chart(field: i32, user: u32, k: u32): u32 {
  const fieldCharts = chartsOf(field);
  const items = itemsOf(field);
  const rows = min(min(k, fieldCharts.length(user)), fieldCharts.size);
  const entries = fieldCharts.chart(user);
  for (let row: u32 = 0; row < rows; row++) {
    const entry = entries + (<usize>row << 3);
    store<f64>(output + (<usize>row << 4), <f64>items.idAt(load<u32>(entry)));
    store<f64>(output + (<usize>row << 4), <f64>load<u32>(entry, 4), 8);
  }
  return rows;
}

/** Plays of item `id` by `user` (0 when never). */
export function playCount(field: i32, user: u32, id: f64): u32 {
  const item = itemsOf(field).find(<u64>id);
  return item < 0 ? 0 : countsOf(field).count(user, <u32>item);
}

/** SALSA recommendations as rows (id, score); returns the row count. */
export function recommend(
  field: i32,
  user: u32,
  limit: u32,
  walks: u32,
  walkLength: u32,
  resetThreshold: f64,
  seed: u32,
): u32 {
  const graph = graphOf(field);
  if (user >= graph.users.nodeCount || graph.users.degree(user) == 0) return 0;
  ensureScratch(itemsOf(field).count);
  const touchedCount = walk(graph, user, walks, walkLength, <u64>resetThreshold, seed, visits, touched);
  return rankVisits(graph.users, user, itemsOf(field), visits, touched, touchedCount, min(limit, OUTPUT_ROWS), output);
}

function ensureScratch(items: u32): void {
  if (items <= scratchItems) return;
  visits = resize(visits, <usize>scratchItems << 2, <usize>items << 2);
  touched = resize(touched, <usize>scratchItems << 2, <usize>items << 2);
  scratchItems = items;
}

/** Folds every graph's recent edges into its compact base and returns scratch memory. */
export function compact(): void {
  for (let field = 0; field < FIELD_COUNT; field++) graphOf(field).compact();
}

export function userCount(): u32 {
  return userIds.count;
}
export function itemCount(field: i32): u32 {
  return itemsOf(field).count;
}
export function edgeCount(field: i32): u32 {
  return graphOf(field).edges();
}
/** Bytes of one field's graph, both directions, plus its item id map. */
export function graphBytes(field: i32): usize {
  return graphOf(field).bytes() + itemsOf(field).bytes();
}
export function userIdBytes(): usize {
  return userIds.bytes();
}
/** Bytes of one field's play counts and charts. */
export function chartBytes(field: i32): usize {
  return countsOf(field).bytes() + chartsOf(field).bytes();
}
export function metricsBytes(): usize {
  return metrics.bytes();
}
