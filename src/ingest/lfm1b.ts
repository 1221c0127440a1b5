import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { TIMESTAMP_UNITS, type EventBatch, type EventColumns, type Field, type TimestampUnit } from "../types.js";
import { EPOCH_MS, timestampAllowed, toEpochMillis } from "../validation.js";
import { allocateBatch, firstRows } from "./batch.js";
import { TsvParser, parseTsvFile, type TsvRow } from "./tsv.js";

export type BadLineHandler = (lineNo: number, line: string, reason: string) => void;

export interface ReadOptions {
  /** Rows per yielded batch (default 65536). */
  batchSize?: number;
  onProgress?: (bytesRead: number, totalBytes: number) => void;
  /** Bad lines are skipped, never thrown; this hears about each one. */
  onBadLine?: BadLineHandler;
}

export interface ReadEventOptions extends ReadOptions {
  /** Unit of the timestamp column (default "s", as in LFM-1b files). */
  timestampUnit?: TimestampUnit;
}

const DEFAULT_BATCH_SIZE = 65536;
const ID_COLUMNS = ["userId", "artistId", "albumId", "trackId"] as const;

/**
 * Reads an `LFM-1b_LEs` file (userId, artistId, albumId, trackId, timestamp) in column batches, with
 * timestamps converted to epoch ms.
 */
export function readEventBatches(path: string, opts: ReadEventOptions = {}): AsyncGenerator<EventBatch> {
  const batchSize = checkBatchSize(opts.batchSize);
  return readBatches(path, opts, new EventCollector(batchSize, checkUnit(opts.timestampUnit ?? "s")));
}

/** Reads an artists (id, name) or albums/tracks (id, name, artistId) file as (id, name) batches. */
export function readItemNames(path: string, opts: ReadOptions = {}): AsyncGenerator<Array<[number, string]>> {
  return readBatches(path, opts, new NameCollector(checkBatchSize(opts.batchSize)));
}

/** Gathers parsed rows into batches; `add` returns why a row is bad, or undefined. */
interface Collector<B> {
  add(row: TsvRow): string | undefined;
  /** Batches completed since the last call, and at the end the partly filled one. */
  take(atEnd: boolean): B[];
}

async function* readBatches<B>(path: string, opts: ReadOptions, collector: Collector<B>): AsyncGenerator<B> {
  const parser = new TsvParser((row) => {
    const reason = collector.add(row);
    if (reason !== undefined) opts.onBadLine?.(row.lineNo, row.line(), reason);
  });
  for await (const { bytesRead, totalBytes, done } of parseTsvFile(path, parser)) {
    yield* collector.take(done);
    opts.onProgress?.(bytesRead, totalBytes);
  }
}

class EventCollector implements Collector<EventBatch> {
  private batch: EventBatch;
  private count = 0;
  private full: EventBatch[] = [];

  constructor(
    private readonly batchSize: number,
    private readonly unit: TimestampUnit,
  ) {
    this.batch = allocateBatch(batchSize);
  }

  add(row: TsvRow): string | undefined {
    if (row.fieldCount !== 5) return `expected 5 tab-separated fields, got ${row.fieldCount}`;
    const at = this.count;
    for (let c = 0; c < 4; c++) {
      const id = row.id(c);
      if (id < 0) return `${ID_COLUMNS[c]} must be a non-negative safe integer, got "${row.text(c)}"`;
      this.batch[ID_COLUMNS[c]][at] = id;
    }
    const timestamp = toEpochMillis(row.number(4), this.unit);
    if (Number.isNaN(timestamp)) return `timestamp must be ${timestampAllowed(this.unit)}, got "${row.text(4)}"`;
    this.batch.timestamp[at] = timestamp;
    if (++this.count === this.batchSize) {
      this.full.push(this.batch);
      this.batch = allocateBatch(this.batchSize);
      this.count = 0;
    }
    return undefined;
  }

  take(atEnd: boolean): EventBatch[] {
    const batches = this.full;
    this.full = [];
    if (atEnd && this.count > 0) batches.push(firstRows(this.batch, this.count));
    return batches;
  }
}

class NameCollector implements Collector<Array<[number, string]>> {
  private batch: Array<[number, string]> = [];
  private full: Array<Array<[number, string]>> = [];

  constructor(private readonly batchSize: number) {}

  add(row: TsvRow): string | undefined {
    if (row.fieldCount !== 2 && row.fieldCount !== 3) {
      return `expected 2 or 3 tab-separated fields, got ${row.fieldCount}`;
    }
    const id = row.id(0);
    if (id < 0) return `id must be a non-negative safe integer, got "${row.text(0)}"`;
    this.batch.push([id, row.text(1)]);
    if (this.batch.length === this.batchSize) {
      this.full.push(this.batch);
      this.batch = [];
    }
    return undefined;
  }

  take(atEnd: boolean): Array<Array<[number, string]>> {
    const batches = this.full;
    this.full = [];
    if (atEnd && this.batch.length > 0) batches.push(this.batch);
    return batches;
  }
}

function checkUnit(unit: TimestampUnit): TimestampUnit {
  if (TIMESTAMP_UNITS.includes(unit)) return unit;
  throw new RangeError(`timestampUnit must be "ms", "s" or "auto", got "${String(unit)}"`);
}

function checkBatchSize(batchSize = DEFAULT_BATCH_SIZE): number {
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  }
  return batchSize;
}

/** What `loadLfm1b` feeds: the store's ingest and names API, structurally. Batches carry epoch ms. */
export interface Lfm1bSink {
  ingest(batch: EventColumns, options: typeof EPOCH_MS): unknown;
  setNames(field: Field, names: Iterable<[number, string]>): unknown;
}

export type LoadPhase = "artists" | "albums" | "tracks" | "events";

export interface LoadProgress {
  phase: LoadPhase;
  /** Bytes read so far over all files of the load, and their total. */
  bytesRead: number;
  totalBytes: number;
  events: number;
}

export interface LoadOptions {
  /** Unit of the files' timestamp column (default "s", as in LFM-1b); the sink gets epoch ms. */
  timestampUnit?: TimestampUnit;
  batchSize?: number;
  onProgress?: (progress: LoadProgress) => void;
  onBadLine?: (lineNo: number, line: string, reason: string, file: string) => void;
}

export interface LoadSummary {
  events: number;
  badLines: number;
  names: Record<Field, number>;
  files: string[];
}

const FILE_KINDS: ReadonlyArray<{ phase: LoadPhase; prefix: string; field?: Field }> = [
  { phase: "artists", prefix: "LFM-1b_artists", field: "ARTIST" },
  { phase: "albums", prefix: "LFM-1b_albums", field: "ALBUM" },
  { phase: "tracks", prefix: "LFM-1b_tracks", field: "TRACK" },
  { phase: "events", prefix: "LFM-1b_LEs" },
];

interface DataFile {
  path: string;
  size: number;
  phase: LoadPhase;
  field?: Field;
}

/**
 * Loads an LFM-1b directory into `sink`: every `<prefix>*.txt` file, names first
 * (so charts can show them at once), then events. Awaits what the sink returns,
 * so an async sink applies backpressure.
 */
export async function loadLfm1b(dir: string, sink: Lfm1bSink, opts: LoadOptions = {}): Promise<LoadSummary> {
  const files = await findDataFiles(dir);
  const summary: LoadSummary = { events: 0, badLines: 0, names: { ARTIST: 0, ALBUM: 0, TRACK: 0 }, files: [] };
  const totalBytes = files.reduce((sum, file) => sum + file.size, 0);
  let doneBytes = 0;
  for (const file of files) {
    const readOpts: ReadEventOptions = {
      timestampUnit: opts.timestampUnit,
      batchSize: opts.batchSize,
      onBadLine: (lineNo, line, reason) => {
        summary.badLines++;
        opts.onBadLine?.(lineNo, line, reason, file.path);
      },
      onProgress: (bytesRead) =>
        opts.onProgress?.({ phase: file.phase, bytesRead: doneBytes + bytesRead, totalBytes, events: summary.events }),
    };
    if (file.field === undefined) {
      for await (const batch of readEventBatches(file.path, readOpts)) {
        await sink.ingest(batch, EPOCH_MS);
        summary.events += batch.userId.length;
      }
    } else {
      for await (const names of readItemNames(file.path, readOpts)) {
        await sink.setNames(file.field, names);
        summary.names[file.field] += names.length;
      }
    }
    doneBytes += file.size;
    summary.files.push(file.path);
  }
  return summary;
}

async function findDataFiles(dir: string): Promise<DataFile[]> {
  const entries = (
    await readdir(dir).catch((error: Error) => {
      throw new Error(`cannot read the LFM-1b directory ${dir}: ${error.message}`);
    })
  ).sort();
  const files: DataFile[] = [];
  for (const { phase, prefix, field } of FILE_KINDS) {
    for (const name of entries.filter((entry) => entry.startsWith(prefix) && entry.endsWith(".txt"))) {
      const path = join(dir, name);
      const info = await stat(path);
      if (!info.isFile()) throw new Error(`${path} is not a file`);
      files.push({ path, size: info.size, phase, field });
    }
  }
  if (!files.some((file) => file.phase === "events")) {
    throw new Error(`No LFM-1b events file in ${dir}: expected a file matching LFM-1b_LEs*.txt`);
  }
  return files;
}

/** The events files (LFM-1b_LEs*.txt) of an LFM-1b directory, in name order; an error when there is none. */
export async function findEventFiles(dir: string): Promise<string[]> {
  return (await findDataFiles(dir)).filter((file) => file.phase === "events").map((file) => file.path);
}
