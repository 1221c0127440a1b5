// The wasm ABI: numbers, pointers and lengths only. The host writes event columns into the event
// window, calls `ingest`, and reads results from the output window (rows of two f64s).
//
// The memory is shared, and the start function is exported as `_start`: the owning instance runs it,
// walker instances on other threads (src/engine/walker-pool.ts) never do. So `recommend` takes every
// address it needs (graph, item ids, scratch) and allocates nothing. Instantiating a walker re-applies
// the module's data segments, which hold only constant strings: no kernel keeps state in static
// memory, and no managed object is created (every class is @unmanaged, blocks come from heap.alloc).
import { EVENT_WINDOW, OUTPUT_ROWS, MAX_CHART_SIZE, FIELD_COUNT, MAX_WALKS, MAX_NEIGHBOURS, MAX_HUB_CAP, MAX_RIDGE_NEIGHBOURS, MAX_RIDGE_ENTRIES } from "./constants";
import { IdMap } from "./idmap";
import { BipartiteGraph } from "./graph";
import { Adjacency } from "./adjacency";
import { PlayCounts } from "./playcounts";
import { Charts } from "./charts";
import { UserMetrics } from "./metrics";
import { walk } from "./salsa";
import { WalkScratch } from "./scratch";
import { exactWalk } from "./exact-walk";
import { insertRanked, rankVisits } from "./scoring";
import { adoptHeap, alloc, freePages, heapLockAddress, heapRoot, touch } from "./memory";
import { PAGE_BYTES } from "./edgepages";

// Event window: five f64 columns (userId, artistId, albumId, trackId, timestamp) of EVENT_WINDOW rows.
// The ingest state is in globals that the ingest helper's instance adopts (`adoptIngest`), hence `let`.
let eventColumns = alloc(<usize>EVENT_WINDOW * 8 * 5);
let userIndexes = alloc(<usize>EVENT_WINDOW * 4);
// Per field and row of the window, between the stages of ingest: the item index, and its new play
// count. Per field, because the two threads of a parallel ingest work on different fields at once.
let itemIndexes = alloc(<usize>FIELD_COUNT * EVENT_WINDOW * 4);
let newCounts = alloc(<usize>FIELD_COUNT * EVENT_WINDOW * 4);
const output = alloc(<usize>OUTPUT_ROWS * 16);

let userIds = new IdMap();
let metrics = new UserMetrics();
/** Per field: item id map, graph, play counts, charts (object addresses). */
const HANDLES_PER_FIELD = 4;
let fieldHandles = alloc(<usize>FIELD_COUNT * HANDLES_PER_FIELD * sizeof<usize>());
/** Where the touched bytes' sum goes, so that the touching loads are kept (either thread's). */
let touchSink = alloc(4);

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
    store<usize>(handle(field, 0), changetype<usize>(new IdMap()));
    store<usize>(handle(field, 1), changetype<usize>(new BipartiteGraph(maxEdges)));
    store<usize>(handle(field, 2), changetype<usize>(new PlayCounts()));
    store<usize>(handle(field, 3), changetype<usize>(new Charts(k)));
  }
}

@inline function handle(field: i32, which: i32): usize {
  return fieldHandles + <usize>(field * HANDLES_PER_FIELD + which) * sizeof<usize>();
}
@inline function itemsOf(field: i32): IdMap {
  return changetype<IdMap>(load<usize>(handle(field, 0)));
}
@inline function graphOf(field: i32): BipartiteGraph {
  return changetype<BipartiteGraph>(load<usize>(handle(field, 1)));
}
@inline function countsOf(field: i32): PlayCounts {
  return changetype<PlayCounts>(load<usize>(handle(field, 2)));
}
@inline function chartsOf(field: i32): Charts {
  return changetype<Charts>(load<usize>(handle(field, 3)));
}
@inline function column(index: i32): usize {
  return eventColumns + <usize>index * EVENT_WINDOW * 8;
}

/**
 * Rows per group of ingest: enough independent cache misses in flight at once to keep the memory
 * system busy, few enough that the lines a group touched are still in cache when it is processed.
 */
const GROUP: u32 = 16;

@inline function rowOf(column: usize, row: u32): u64 {
  return <u64>load<f64>(column + (<usize>row << 3));
}
@inline function userAt(row: u32): u32 {
  return load<u32>(userIndexes + (<usize>row << 2));
}
/** The field's window of item indexes, or of new play counts (`window` itemIndexes or newCounts). */
@inline function fieldWindow(window: usize, field: i32): usize {
  return window + <usize>field * EVENT_WINDOW * 4;
}
@inline function at(window: usize, row: u32): u32 {
  return load<u32>(window + (<usize>row << 2));
}

/**
 * Applies the first `count` events of the event window (already validated by the host). Field by
 * field, so each field's tables stay warm in cache through the batch, and within a field in stages
 * (every id, then every append, every play count, every chart), each in groups of rows: a group's
 * first loops only touch the memory its last loop will read, so that the group's cache misses
 * overlap instead of following one another. Each structure sees the rows in order, so the result is
 * the same as one row at a time.
 */
export function ingest(count: u32): void {
  ingestUsers(count);
  for (let field = 0; field < FIELD_COUNT; field++) {
    ingestItems(field, count);
    ingestEdges(field, count);
    ingestPlays(field, count);
  }
}

const ARTIST = 0;
const ALBUM = 1;
const TRACK = 2;

/**
 * One thread's part of a parallel ingest (src/engine/ingest-helper.ts), the same work as `ingest`:
 * the owning thread runs part 0 and the helper part 1 of phase 0, both finish, then of phase 1.
 * Phase 0: the users | every field's items. Phase 1: a field's edges and its play counts with charts
 * are independent of each other, so they are split for the two parts to take about as long at
 * LFM-1b's cardinality, where the track field weighs most.
 */
export function ingestPart(phase: u32, part: u32, count: u32): void {
  if (phase == 0) {
    if (part == 0) ingestUsers(count);
    else for (let field = 0; field < FIELD_COUNT; field++) ingestItems(field, count);
  } else if (part == 0) {
    ingestPlays(TRACK, count);
    ingestEdges(ARTIST, count);
    ingestEdges(ALBUM, count);
  } else {
    ingestPlays(ARTIST, count);
    ingestPlays(ALBUM, count);
    ingestEdges(TRACK, count);
  }
}

/** User indexes and metrics. */
function ingestUsers(count: u32): void {
  let touched: u32 = 0;
  for (let first: u32 = 0; first < count; first += GROUP) touched += addUsers(first, min(first + GROUP, count));
  store<u32>(touchSink, touched);
}

/** The field's item indexes. */
function ingestItems(field: i32, count: u32): void {
  const ids = column(1 + field);
  const items = itemsOf(field);
  const indexes = fieldWindow(itemIndexes, field);
  let touched: u32 = 0;
  for (let first: u32 = 0; first < count; first += GROUP) touched += addItems(items, ids, indexes, first, min(first + GROUP, count));
  store<u32>(touchSink, touched);
}

/** The field's edges, both directions (after its items and the users). */
function ingestEdges(field: i32, count: u32): void {
  const graph = graphOf(field);
  const indexes = fieldWindow(itemIndexes, field);
  graph.ensureNodes(userIds.count, itemsOf(field).count);
  let touched: u32 = 0;
  for (let first: u32 = 0; first < count; first += GROUP) touched += addEdges(graph, indexes, first, min(first + GROUP, count));
  store<u32>(touchSink, touched);
}

/** The field's play counts, then its charts (after its items and the users). */
function ingestPlays(field: i32, count: u32): void {
  const counts = countsOf(field);
  const fieldCharts = chartsOf(field);
  const items = itemsOf(field);
  const indexes = fieldWindow(itemIndexes, field);
  const played = fieldWindow(newCounts, field);
  let touched: u32 = 0;
  for (let first: u32 = 0; first < count; first += GROUP) touched += addPlays(counts, indexes, played, first, min(first + GROUP, count));
  for (let first: u32 = 0; first < count; first += GROUP) touched += updateCharts(fieldCharts, items, indexes, played, first, min(first + GROUP, count));
  store<u32>(touchSink, touched);
}

/** Rows [first, end): user indexes and metrics. */
function addUsers(first: u32, end: u32): u32 {
  let touched: u32 = 0;
  for (let row = first; row < end; row++) touched += touch(userIds.homeSlot(rowOf(eventColumns, row)));
  for (let row = first; row < end; row++) touched += touch(userIds.storedIdAddress(userIds.homeSlot(rowOf(eventColumns, row))));
  for (let row = first; row < end; row++) {
    const user = userIds.findOrAdd(rowOf(eventColumns, row));
    store<u32>(userIndexes + (<usize>row << 2), user);
    touched += touch(metrics.recordAddress(user));
  }
  const timestamps = column(4);
  for (let row = first; row < end; row++) metrics.record(userAt(row), <i64>load<f64>(timestamps + (<usize>row << 3)));
  return touched;
}

/** Rows [first, end): the field's item indexes. */
function addItems(items: IdMap, ids: usize, indexes: usize, first: u32, end: u32): u32 {
  let touched: u32 = 0;
  for (let row = first; row < end; row++) touched += touch(items.homeSlot(rowOf(ids, row)));
  for (let row = first; row < end; row++) touched += touch(items.storedIdAddress(items.homeSlot(rowOf(ids, row))));
  for (let row = first; row < end; row++) store<u32>(indexes + (<usize>row << 2), items.findOrAdd(rowOf(ids, row)));
  return touched;
}

/** Rows [first, end): the edges, both directions. */
function addEdges(graph: BipartiteGraph, indexes: usize, first: u32, end: u32): u32 {
  let touched: u32 = 0;
  for (let row = first; row < end; row++) touched += touch(graph.users.recordAddress(userAt(row))) + touch(graph.items.recordAddress(at(indexes, row)));
  for (let row = first; row < end; row++) touched += touch(graph.users.nextEdgeAddress(userAt(row))) + touch(graph.items.nextEdgeAddress(at(indexes, row)));
  for (let row = first; row < end; row++) graph.append(userAt(row), at(indexes, row));
  return touched;
}

/** Rows [first, end): play counts, each row's new count kept for its chart. */
function addPlays(counts: PlayCounts, indexes: usize, played: usize, first: u32, end: u32): u32 {
  let touched: u32 = 0;
  for (let row = first; row < end; row++) touched += touch(counts.homeEntry(userAt(row), at(indexes, row)));
  for (let row = first; row < end; row++) store<u32>(played + (<usize>row << 2), counts.increment(userAt(row), at(indexes, row)));
  return touched;
}

/** Rows [first, end): charts. */
function updateCharts(fieldCharts: Charts, items: IdMap, indexes: usize, played: usize, first: u32, end: u32): u32 {
  let touched: u32 = 0;
  for (let row = first; row < end; row++) {
    const chart = fieldCharts.chartAddress(userAt(row));
    touched += touch(chart) + touch(chart + fieldCharts.bytesPerChart() - 1) + touch(fieldCharts.lengthAddress(userAt(row)));
  }
  for (let row = first; row < end; row++) fieldCharts.update(userAt(row), at(indexes, row), at(played, row), items);
  return touched;
}

/** The ingest state's addresses and the heap's root and lock, for the ingest helper's instance to
 *  adopt (`adoptIngest`). Written by the start function, so at the same address in every instance. */
const CONTEXT_WORDS = 10;
let context = alloc(<usize>CONTEXT_WORDS * sizeof<usize>());
store<usize>(contextWord(0), eventColumns);
store<usize>(contextWord(1), userIndexes);
store<usize>(contextWord(2), itemIndexes);
store<usize>(contextWord(3), newCounts);
store<usize>(contextWord(4), changetype<usize>(userIds));
store<usize>(contextWord(5), changetype<usize>(metrics));
store<usize>(contextWord(6), fieldHandles);
store<usize>(contextWord(7), touchSink);
store<usize>(contextWord(8), heapRoot());
store<usize>(contextWord(9), heapLockAddress());

@inline function contextWord(index: i32): usize {
  return context + (<usize>index << alignof<usize>());
}

export function ingestContext(): usize {
  return context;
}

/** Makes this unstarted instance (the ingest helper's) work on the owner's state: see `ingestContext`. */
export function adoptIngest(owner: usize): void {
  context = owner;
  eventColumns = load<usize>(contextWord(0));
  userIndexes = load<usize>(contextWord(1));
  itemIndexes = load<usize>(contextWord(2));
  newCounts = load<usize>(contextWord(3));
  userIds = changetype<IdMap>(load<usize>(contextWord(4)));
  metrics = changetype<UserMetrics>(load<usize>(contextWord(5)));
  fieldHandles = load<usize>(contextWord(6));
  touchSink = load<usize>(contextWord(7));
  adoptHeap(load<usize>(contextWord(8)), load<usize>(contextWord(9)));
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

/**
 * The `limit` users ranked by last listen (`byPlays` false) or by play count (true), ties by id
 * ascending, as rows (id, value); returns the row count. One pass over every user.
 */
export function topUsers(byPlays: bool, limit: u32): u32 {
  const rows = min(limit, OUTPUT_ROWS);
  let count: u32 = 0;
  const users = userIds.count;
  for (let user: u32 = 0; user < users; user++) {
    const record = metrics.address(user);
    const value = byPlays ? <f64>load<u64>(record) : <f64>load<i64>(record, 16);
    count = insertRanked(output, count, rows, <f64>userIds.idAt(user), value);
  }
  return count;
}

/** Plays of item `id` by `user` (0 when never). */
export function playCount(field: i32, user: u32, id: f64): u32 {
  const item = itemsOf(field).find(<u64>id);
  return item < 0 ? 0 : countsOf(field).count(user, <u32>item);
}

/** A new walk scratch (owning instance only). */
export function newWalkScratch(): usize {
  return changetype<usize>(new WalkScratch());
}

/** Sizes a scratch for the users and every field's items (owning instance only; call after ingest, before walks). */
export function prepareWalkScratch(scratch: usize): void {
  let items: u32 = 0;
  for (let field = 0; field < FIELD_COUNT; field++) items = max(items, itemsOf(field).count);
  changetype<WalkScratch>(scratch).ensure(userIds.count, items);
}

/** Frees a scratch no thread walks with any more (owning instance only). */
export function freeWalkScratch(scratch: usize): void {
  changetype<WalkScratch>(scratch).free();
}

/** Where `recommend` writes its rows in this scratch. */
export function walkScratchOutput(scratch: usize): usize {
  return changetype<WalkScratch>(scratch).output;
}

/** Address of the field's graph, for `recommend`; it never moves. */
export function graphAddress(field: i32): usize {
  return changetype<usize>(graphOf(field));
}

/** Address of the field's item id map, for `recommend`; it never moves. */
export function itemIdsAddress(field: i32): usize {
  return changetype<usize>(itemsOf(field));
}

/** What `recommend` returns when the scratch is too small for the graph's items or for `walks`. */
const SCRATCH_TOO_SMALL: u32 = 0xffffffff;

/**
 * SALSA recommendations as rows (id, score) in the scratch's output; returns the row count. The
 * scratch must be prepared since the last ingest, or nothing is walked and SCRATCH_TOO_SMALL comes
 * back (so that a walk never writes outside its scratch). Any instance may call it; it does not allocate.
 */
export function recommend(
  graphAt: usize,
  itemIdsAt: usize,
  user: u32,
  limit: u32,
  walks: u32,
  walkLength: u32,
  resetThreshold: f64,
  seed: u32,
  popularityPenalty: f64,
  scratchAt: usize,
): u32 {
  const graph = changetype<BipartiteGraph>(graphAt);
  if (user >= graph.users.nodeCount || graph.users.degree(user) == 0) return 0;
  const scratch = changetype<WalkScratch>(scratchAt);
  const itemIds = changetype<IdMap>(itemIdsAt);
  if (itemIds.count > scratch.capacity || walks > <u32>MAX_WALKS) return SCRATCH_TOO_SMALL;
  const touchedCount = walk(graph, user, walks, walkLength, <u64>resetThreshold, seed, scratch);
  const rows = min(limit, OUTPUT_ROWS);
  return rankVisits(graph.users, graph.items, popularityPenalty, user, itemIds, scratch.visits, scratch.touched, touchedCount, rows, scratch.output);
}

/** Address of the field's play counts (and pair degrees), for `recommendExact`; it never moves. */
export function playCountsAddress(field: i32): usize {
  return changetype<usize>(countsOf(field));
}

/**
 * The exact three-step walk (exact-walk.ts) as rows (id, score) in the scratch's output; returns the
 * row count, or SCRATCH_TOO_SMALL as `recommend` does. Any instance may call it; it does not allocate.
 */
export function recommendExact(
  graphAt: usize,
  itemIdsAt: usize,
  countsAt: usize,
  user: u32,
  limit: u32,
  seed: u32,
  popularityPenalty: f64,
  neighbours: u32,
  itemExponent: f64,
  userExponent: f64,
  hubCap: u32,
  weighting: u32,
  ridge: f64,
  scratchAt: usize,
): u32 {
  const graph = changetype<BipartiteGraph>(graphAt);
  if (user >= graph.users.nodeCount || graph.users.degree(user) == 0) return 0;
  const scratch = changetype<WalkScratch>(scratchAt);
  const itemIds = changetype<IdMap>(itemIdsAt);
  if (itemIds.count > scratch.capacity || graph.users.nodeCount > scratch.userCapacity || neighbours > <u32>MAX_NEIGHBOURS || hubCap > <u32>MAX_HUB_CAP) {
    return SCRATCH_TOO_SMALL;
  }
  if (ridge > 0 && (neighbours == 0 || neighbours > <u32>MAX_RIDGE_NEIGHBOURS || <u64>neighbours * <u64>max<u32>(hubCap, 1) > <u64>MAX_RIDGE_ENTRIES)) {
    return SCRATCH_TOO_SMALL;
  }
  const params = scratch.exactParams;
  params.neighbours = neighbours;
  params.itemExponent = itemExponent;
  params.userExponent = userExponent;
  params.popularityPenalty = popularityPenalty;
  params.hubCap = max<u32>(hubCap, 1);
  params.weighting = weighting;
  params.ridge = ridge;
  return exactWalk(graph, changetype<PlayCounts>(countsAt), itemIds, user, min(limit, OUTPUT_ROWS), seed, scratch);
}

/** Dense index of an item id of `field`, or -1 when unknown. */
export function findItem(field: i32, id: f64): i32 {
  return itemsOf(field).find(<u64>id);
}

/** One direction of the field's graph: side 0 maps users to their items, side 1 items to their users. */
@inline function sideOf(field: i32, side: i32): Adjacency {
  const graph = graphOf(field);
  return side == 0 ? graph.users : graph.items;
}

/** Edges of one node on `side` (0 = a user's, 1 = an item's); 0 for a node the graph has not seen. */
export function degree(field: i32, side: i32, node: u32): u32 {
  const adjacency = sideOf(field, side);
  return node < adjacency.nodeCount ? adjacency.degree(node) : 0;
}

/** Values in the output window: 2 f64s per row. */
const NEIGHBOUR_PAGE: u32 = <u32>OUTPUT_ROWS * 2;

/**
 * For inspection and tests, not a hot path: writes the ids at the other end of the node's edges,
 * from edge `offset` on, one f64 per edge (repeats kept, in storage order), into the output window;
 * returns how many (at most 2 * OUTPUT_ROWS: call again with a larger offset for the rest).
 */
export function neighbours(field: i32, side: i32, node: u32, offset: u32): u32 {
  const total = degree(field, side, node);
  if (offset >= total) return 0;
  const adjacency = sideOf(field, side);
  const targets = side == 0 ? itemsOf(field) : userIds;
  const count = min(total - offset, NEIGHBOUR_PAGE);
  for (let i: u32 = 0; i < count; i++) {
    store<f64>(output + (<usize>i << 3), <f64>targets.idAt(adjacency.edgeAt(node, offset + i)));
  }
  return count;
}

/** Folds every graph's recent edges into its compact base, returning their memory. */
export function compact(): void {
  for (let field = 0; field < FIELD_COUNT; field++) graphOf(field).merge();
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
/** Distinct (user, item) pairs of one field. */
export function pairCount(field: i32): u32 {
  return countsOf(field).pairs;
}
/** Bytes of one field's graph, both directions. */
export function graphBytes(field: i32): usize {
  return graphOf(field).bytes();
}
/** Bytes of one field's item id map. */
export function itemIdBytes(field: i32): usize {
  return itemsOf(field).bytes();
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
/** Bytes of freed edge pages kept for reuse (not live). */
export function freePageBytes(): usize {
  return <usize>freePages() * PAGE_BYTES;
}
/** Bytes of every structure: graphs, id maps, play counts, charts, metrics. */
export function liveBytes(): usize {
  let bytes = userIdBytes() + metricsBytes();
  for (let field = 0; field < FIELD_COUNT; field++) bytes += graphBytes(field) + itemIdBytes(field) + chartBytes(field);
  return bytes;
}
