import type { EventWindow } from "../events.js";
import type { Field, ListenerOrder, Profile, RecommendParams } from "../types.js";

export interface EngineOptions {
  /** Chart size K kept per user and field. */
  chartSize: number;
  /** Most edges a field's graph keeps (oldest segments dropped beyond); 0 keeps all. */
  maxEdgesPerGraph: number;
  /** Threads that run `recommendAsync` walks (wasm only); 0 walks on the calling thread. */
  walkerThreads: number;
  /** Threads that apply a large ingest call (wasm only): 1, or 2 with a helper thread. */
  ingestThreads: number;
}

/** One direction of a field's graph: a user's edges (to items) or an item's edges (to users). */
export type GraphSide = "user" | "item";

export interface RankedId {
  id: number;
  score: number;
}

export interface FieldStats {
  items: number;
  edges: number;
  /** Distinct (user, item) pairs: the entries of the play counts. */
  pairs: number;
  /** The graph, both directions. */
  graphBytes: number;
  /** The field's item id map; undefined where the engine cannot measure it (the reference's JS Map). */
  itemIdBytes?: number;
  /** Play counts and charts. */
  chartBytes: number;
}

export interface EngineStats {
  users: number;
  fields: Record<Field, FieldStats>;
  /** Everything the engine holds (for wasm: the linear memory size). */
  totalBytes: number;
  /**
   * What the engine's structures hold (graphs, id maps, play counts, charts, metrics), for comparing
   * with the process's memory; undefined where the engine cannot measure it (the reference's
   * JavaScript maps and arrays).
   */
  liveBytes?: number;
  /** Freed edge pages the wasm engine keeps for its next ones (not live); undefined for the reference. */
  freePageBytes?: number;
}

/** The engine's whole state, copied at one moment, to be written to a snapshot afterwards. */
export interface EngineImage {
  /** What the restoring engine checks first (the wasm engine: addresses its start function computes). */
  layout: Record<string, unknown>;
  bytes: Uint8Array;
}

/** An engine image in a snapshot file, as a restoring engine reads it. */
export interface StoredImage {
  /** The snapshot's path, for errors. */
  path: string;
  layout: Record<string, unknown>;
  bytes: number;
  /**
   * Reads the image into `targets` (arrays `bytes` long in all, filled in order), and resolves only
   * once the whole snapshot's checksum matched: an engine acts on what it read only after that.
   */
  readInto(targets: readonly Uint8Array[]): Promise<void>;
}

/**
 * The kernel interface: the wasm engine and the plain-TypeScript reference both implement it and are
 * tested against each other. Inputs are already validated; nothing here checks them again.
 *
 * Events come in through the engine's event window (EventWindow): the SDK's validator writes accepted
 * events into it (ids as non-negative safe integers, timestamps as epoch ms) and applies it.
 */
export interface Engine extends EventWindow {
  readonly kind: "wasm" | "reference";
  profile(userId: number): Profile | undefined;
  chart(userId: number, field: Field, k: number): RankedId[];
  playCount(userId: number, field: Field, itemId: number): number;
  /** The `limit` users ranked by last listen or by play count, ties by id ascending: (userId, value). */
  topUsers(order: ListenerOrder, limit: number): RankedId[];
  recommend(userId: number, field: Field, params: RecommendParams): RankedId[];
  /** The same result as `recommend`, computed on a walker thread when the engine has them. */
  recommendAsync(userId: number, field: Field, params: RecommendParams): Promise<RankedId[]>;
  /**
   * The ids at the other end of a node's edges in the field's graph, one per edge (repeats kept), in
   * no promised order: for inspection and tests. Empty for an unknown node; a bounded graph has
   * forgotten the edges of its dropped segments.
   */
  neighbours(field: Field, side: GraphSide, id: number): number[];
  /** Folds recent edges into compact storage; a hint after bulk loads. */
  compact(): void;
  stats(): EngineStats;
  /**
   * A copy of the whole state, taken synchronously: ingest (on this thread) waits for the copy and no
   * longer; walks on walker threads go on meanwhile, as they only read.
   */
  capture(): EngineImage;
  /** Stops walker threads, if any. */
  close(): Promise<void>;
}
