// The SDK: validation and names around an Engine (wasm by default, or the TypeScript reference).
import type { Engine, EngineOptions, EngineStats, RankedId } from "./engine/engine.js";
import { createEngine, ENGINE_BUILDS, restoreEngine } from "./engine/engines.js";
import { InvalidInputError } from "./errors.js";
import { ingestEvents, type EventWindow, type IngestResult } from "./events.js";
import { DEFAULT_LIMIT, PRESETS } from "./presets.js";
import { SnapshotReader, writeSnapshotFile, type SnapshotSection } from "./snapshot/file.js";
import type { SnapshotHeader } from "./snapshot/format.js";
import { decodeNames, encodeNames, type ItemNames } from "./snapshot/names.js";
import { checkRestorable } from "./snapshot/store-header.js";
import { FIELDS, type Chart, type RecommendParams, type EventBatch, type EventColumns, type Field, type ListeningEvent, type Profile, type Recommendations } from "./types.js";
import {
  ingestOptionsSchema,
  listenersOptionsSchema,
  parseField,
  parseId,
  parseOrThrow,
  recommendParamsSchema,
  checkRidgeBounds,
  searchNamesSchema,
  storeOptionsSchema,
  type IngestOptions,
  type ListenersOptions,
  type ProfileStoreOptions,
  type RecommendOptions,
  type ResolvedStoreOptions,
} from "./validation.js";

export interface StoreStats extends EngineStats {
  engine: "wasm" | "reference";
  /** Events applied and rejected since the store was created. */
  events: { accepted: number; rejected: number };
  names: Record<Field, number>;
}

/** The whole state of a store at one moment, ready to be written (see ProfileStore.snapshot). */
export interface StoreSnapshot {
  header: Omit<SnapshotHeader, "sections">;
  sections: SnapshotSection[];
}

/** The sections of a store's snapshot, in file order: names first, so the engine's read ends the file. */
const NAMES_SECTION = "names";
const ENGINE_SECTION = "engine";

/** Hears every applied window of events (epoch ms), synchronously: copy what you keep. */
export type EventsListener = (events: EventBatch, count: number) => void;

export class ProfileStore {
  private accepted = 0;
  private rejected = 0;
  private readonly eventListeners = new Set<EventsListener>();
  /** The engine's window, telling the listeners of each applied part; used only while there are listeners. */
  private readonly heardWindow: EventWindow = {
    window: () => this.engine.window(),
    apply: (count) => {
      const events = this.engine.window();
      this.engine.apply(count);
      for (const listener of this.eventListeners) listener(events, count);
    },
  };

  private constructor(
    private readonly engine: Engine,
    readonly options: ResolvedStoreOptions,
    private readonly names: ItemNames = { ARTIST: new Map(), ALBUM: new Map(), TRACK: new Map() },
  ) {}

  /** A new, empty store. The kernels are already compiled at import; this only instantiates them. */
  static async create(options: ProfileStoreOptions = {}): Promise<ProfileStore> {
    const resolved = parseOrThrow(storeOptionsSchema, options, "options");
    return new ProfileStore(createEngine(resolved.engine, engineOptions(resolved)), resolved);
  }

  /**
   * The store a snapshot file holds (written by `save`), with `options` as `create` takes them:
   * `engine`, `chartSize` and `maxEdgesPerGraph` must be those the snapshot was taken with. Throws
   * a SnapshotError naming the reason when the file is refused; nothing is replayed.
   */
  static async load(path: string, options: ProfileStoreOptions = {}): Promise<ProfileStore> {
    parseOrThrow(storeOptionsSchema, options, "options");
    const snapshot = await SnapshotReader.open(path);
    try {
      return await ProfileStore.restore(snapshot, options);
    } finally {
      await snapshot.close();
    }
  }

  /** `load` from an open snapshot, whose header (say, its attachment) the caller has checked already. */
  static async restore(snapshot: SnapshotReader, options: ProfileStoreOptions = {}): Promise<ProfileStore> {
    const resolved = parseOrThrow(storeOptionsSchema, options, "options");
    const { header, path } = snapshot;
    checkRestorable(header, resolved, path);
    const names = await snapshot.read(NAMES_SECTION);
    const image = {
      path,
      layout: header.engine.layout,
      bytes: header.sections.find((section) => section.name === ENGINE_SECTION)?.bytes ?? 0,
      readInto: async (targets: readonly Uint8Array[]) => {
        await snapshot.readInto(ENGINE_SECTION, targets);
        await snapshot.verify();
      },
    };
    const store = new ProfileStore(await restoreEngine(resolved.engine, engineOptions(resolved), image), resolved, decodeNames(names));
    store.accepted = header.events.accepted;
    store.rejected = header.events.rejected;
    return store;
  }

  /**
   * The whole state as it is now (engine, names, event counters), copied synchronously: ingest waits
   * only for the copy, walks on walker threads go on. `save` writes one; so does the service, with
   * its Kafka offsets attached.
   */
  snapshot(): StoreSnapshot {
    const { engine, chartSize, maxEdgesPerGraph } = this.options;
    const image = this.engine.capture();
    return {
      header: {
        createdAt: Date.now(),
        engine: { kind: engine, build: ENGINE_BUILDS[engine], chartSize, maxEdgesPerGraph, layout: image.layout },
        events: { accepted: this.accepted, rejected: this.rejected },
      },
      sections: [
        { name: NAMES_SECTION, bytes: encodeNames(this.names) },
        { name: ENGINE_SECTION, bytes: image.bytes },
      ],
    };
  }

  /**
   * Writes the whole state to `path` (a temporary file beside it, fsynced, then renamed over it): a
   * crash at any moment leaves the previous file or the new one. Resolves to the file's size.
   */
  async save(path: string): Promise<{ bytes: number }> {
    const { header, sections } = this.snapshot();
    return { bytes: await writeSnapshotFile(path, header, sections) };
  }

  /**
   * Applies events (objects, or columns of equal length). Bad events are rejected and reported; the
   * rest are kept. Timestamps are read in the store's `timestampUnit` unless `options` names another
   * (the project's own readers hand over epoch ms and say so).
   */
  ingest(events: Iterable<ListeningEvent> | EventColumns, options?: IngestOptions): IngestResult {
    const unit = options === undefined ? this.options.timestampUnit : (parseOrThrow(ingestOptionsSchema, options, "options").timestampUnit ?? this.options.timestampUnit);
    const result = ingestEvents(events, unit, this.eventListeners.size === 0 ? this.engine : this.heardWindow);
    this.accepted += result.accepted;
    this.rejected += result.rejected;
    return result;
  }

  /** Calls `listener` with every batch of events applied from now on; returns a function that stops it. */
  onEvents(listener: EventsListener): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  /** Listeners (users) by their latest play (`RECENT`, the default) or by play count (`MOST_ACTIVE`). */
  listeners(options: ListenersOptions = {}): Profile[] {
    const { limit, order } = parseOrThrow(listenersOptionsSchema, options, "options");
    return this.engine.topUsers(order, limit).map((row) => this.engine.profile(row.id)!);
  }

  /** Sets display names of artists, albums or tracks; returns how many were set. */
  setNames(field: Field, names: Iterable<readonly [number, string]>): number {
    const target = this.names[parseField(field)];
    let count = 0;
    for (const [id, name] of names) {
      parseId("id", id);
      if (typeof name !== "string") throw new InvalidInputError("name", name, "a string");
      target.set(id, name);
      count++;
    }
    return count;
  }

  name(field: Field, id: number): string | undefined {
    return this.names[parseField(field)].get(parseId("id", id));
  }

  /**
   * Items of `field` whose name contains `text`, ignoring case: names that start with it first, then
   * the others, each in the order the names were set; at most `limit` (1 to 50, default 10).
   */
  searchNames(field: Field, text: string, limit?: number): Array<{ id: number; name: string }> {
    const names = this.names[parseField(field)];
    const params = parseOrThrow(searchNamesSchema, { text, limit }, "text");
    const needle = params.text.toLowerCase();
    const starting: Array<{ id: number; name: string }> = [];
    const containing: Array<{ id: number; name: string }> = [];
    for (const [id, name] of names) {
      const at = name.toLowerCase().indexOf(needle);
      if (at === 0) {
        starting.push({ id, name });
        if (starting.length === params.limit) break;
      } else if (at > 0 && containing.length < params.limit) containing.push({ id, name });
    }
    return [...starting, ...containing].slice(0, params.limit);
  }

  profile(userId: number): Profile | undefined {
    return this.engine.profile(parseId("userId", userId));
  }

  /** The user's top-k items of `field` by plays (k defaults to, and is at most, the store's chart size). */
  charts(userId: number, field: Field, k?: number): Chart {
    const f = parseField(field);
    const size = k ?? this.options.chartSize;
    if (!Number.isInteger(size) || size < 1 || size > this.options.chartSize) {
      throw new InvalidInputError("k", k, `an integer between 1 and the store's chartSize ${this.options.chartSize}`);
    }
    const rows = this.engine.chart(parseId("userId", userId), f, size);
    return { topK: rows.map((row) => ({ id: row.id, countPlays: row.score, ...this.named(f, row.id) })) };
  }

  /** Exact plays of one item by one user. */
  playCount(userId: number, field: Field, itemId: number): number {
    return this.engine.playCount(parseId("userId", userId), parseField(field), parseId("itemId", itemId));
  }

  /**
   * The parameters a recommendation with `options` runs with: validated, the preset's (the request's,
   * else `defaultPreset`) under the explicit ones, and a random seed when none is given. Passed back to
   * `recommend`, they give the same answer; the service checks its bounds on them.
   */
  recommendParams(options: RecommendOptions = {}): RecommendParams {
    const { preset, seed, ...explicit } = parseOrThrow(recommendParamsSchema, options, "options");
    const given = Object.fromEntries(Object.entries(explicit).filter(([, value]) => value !== undefined));
    const params: RecommendParams = { limit: DEFAULT_LIMIT, ...PRESETS[preset ?? this.options.defaultPreset], ...given, seed: seed ?? Math.floor(Math.random() * 2 ** 32) };
    checkRidgeBounds(params, given);
    return params;
  }

  /**
   * Recommendations by the request's preset (else the store's `defaultPreset`) with its explicit
   * parameters over the preset's: SALSA walks or the exact walk (docs/salsa.md); an unknown user gets an empty list.
   */
  recommend(userId: number, field: Field, options: RecommendOptions = {}): Recommendations {
    const f = parseField(field);
    const rows = this.engine.recommend(parseId("userId", userId), f, this.recommendParams(options));
    return { recommendations: this.withNames(f, rows) };
  }

  /**
   * The same as `recommend`, walked on one of the store's walker threads (option `walkerThreads`), so
   * that the calling thread stays free and walks run in parallel; without walker threads, walked here.
   */
  async recommendAsync(userId: number, field: Field, options: RecommendOptions = {}): Promise<Recommendations> {
    const f = parseField(field);
    const rows = await this.engine.recommendAsync(parseId("userId", userId), f, this.recommendParams(options));
    return { recommendations: this.withNames(f, rows) };
  }

  private withNames(field: Field, rows: RankedId[]) {
    return rows.map((row) => ({ id: row.id, score: row.score, ...this.named(field, row.id) }));
  }

  private named(field: Field, id: number): { name?: string } {
    const name = this.names[field].get(id);
    return name === undefined ? {} : { name };
  }

  /** Folds recent edges into compact storage; call after a bulk load to reach the smallest footprint. */
  compact(): void {
    this.engine.compact();
  }

  /**
   * Stops the walker threads after the walks in progress: walks not started yet fail, later
   * `recommendAsync` calls are refused; everything else keeps working.
   */
  close(): Promise<void> {
    return this.engine.close();
  }

  stats(): StoreStats {
    const names = Object.fromEntries(FIELDS.map((f) => [f, this.names[f].size])) as Record<Field, number>;
    return {
      ...this.engine.stats(),
      engine: this.engine.kind,
      events: { accepted: this.accepted, rejected: this.rejected },
      names,
    };
  }
}

function engineOptions({ chartSize, maxEdgesPerGraph, walkerThreads, ingestThreads }: ResolvedStoreOptions): EngineOptions {
  return { chartSize, maxEdgesPerGraph, walkerThreads, ingestThreads };
}
