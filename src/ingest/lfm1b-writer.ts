import { createWriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { makeDirectory } from "../make-directory.js";
import type { EventBatch } from "../types.js";
import { createGenerator, type GeneratorOptions } from "./generator.js";
import { formatTsvField } from "./tsv.js";

export interface WriteDatasetOptions extends Omit<GeneratorOptions, "timestampResolution"> {
  /** Number of listening events to write. */
  events: number;
  /** Events per written chunk (default 65536). */
  batchSize?: number;
  onProgress?: (eventsWritten: number, totalEvents: number) => void;
}

export interface WriteDatasetSummary {
  files: string[];
  events: number;
  artists: number;
  albums: number;
  tracks: number;
}

const NAME_ROWS_PER_CHUNK = 16384;
const MAX_EVENT_LINE_BYTES = 5 * 17 + 5; // five safe integers (16 digits and a sign) and their separators
const TAB = 9;
const NEWLINE = 10;
const MINUS = 45;
const ZERO = 48;

/**
 * Writes a generated data set as the four LFM-1b files in `dir` (created if
 * missing): events with timestamps in seconds, then artist, album and track names.
 * Each file is written under a hidden temporary name, and all four are renamed
 * into place once every one is complete: a run that fails or is stopped leaves
 * the folder as it was (at most a `.*.tmp` file, which readers ignore).
 */
export async function writeLfm1bDataset(dir: string, opts: WriteDatasetOptions): Promise<WriteDatasetSummary> {
  const { batchSize, onProgress, ...generatorOptions } = opts;
  const generator = createGenerator({ ...generatorOptions, timestampResolution: "s" });
  await makeDirectory(dir);
  const files = {
    events: join(dir, "LFM-1b_LEs.txt"),
    artists: join(dir, "LFM-1b_artists.txt"),
    albums: join(dir, "LFM-1b_albums.txt"),
    tracks: join(dir, "LFM-1b_tracks.txt"),
  };
  const contents: Record<keyof typeof files, Iterable<string | Buffer>> = {
    events: eventChunks(generator.eventBatches(opts.events, batchSize), opts.events, onProgress),
    artists: nameChunks(generator.catalogueOf("artists")),
    albums: nameChunks(generator.catalogueOf("albums")),
    tracks: nameChunks(generator.catalogueOf("tracks")),
  };
  const temporary = (path: string) => join(dirname(path), `.${basename(path)}.tmp`);
  const kinds = Object.keys(files) as Array<keyof typeof files>;
  try {
    for (const kind of kinds) await writeChunks(temporary(files[kind]), contents[kind]);
  } catch (error) {
    await Promise.all(kinds.map((kind) => rm(temporary(files[kind]), { force: true })));
    throw error;
  }
  for (const kind of kinds) await rename(temporary(files[kind]), files[kind]);
  return {
    files: Object.values(files),
    events: opts.events,
    ...generator.catalogueSizes,
  };
}

/** Streams the chunks to a file, pulling the next one only when the file is ready for it. */
function writeChunks(path: string, chunks: Iterable<string | Buffer>): Promise<void> {
  return pipeline(Readable.from(chunks), createWriteStream(path));
}

/** Event lines formatted straight into bytes: about 3x faster than building strings. */
function* eventChunks(
  batches: Iterable<EventBatch>,
  total: number,
  onProgress: WriteDatasetOptions["onProgress"],
): Generator<Buffer> {
  let written = 0;
  for (const batch of batches) {
    const rows = batch.userId.length;
    const bytes = Buffer.allocUnsafe(rows * MAX_EVENT_LINE_BYTES);
    let pos = 0;
    for (let i = 0; i < rows; i++) {
      pos = writeInteger(bytes, pos, batch.userId[i]);
      bytes[pos++] = TAB;
      pos = writeInteger(bytes, pos, batch.artistId[i]);
      bytes[pos++] = TAB;
      pos = writeInteger(bytes, pos, batch.albumId[i]);
      bytes[pos++] = TAB;
      pos = writeInteger(bytes, pos, batch.trackId[i]);
      bytes[pos++] = TAB;
      pos = writeInteger(bytes, pos, batch.timestamp[i] / 1000);
      bytes[pos++] = NEWLINE;
    }
    yield bytes.subarray(0, pos);
    written += rows;
    onProgress?.(written, total);
  }
}

/** Writes a safe integer in decimal at `pos`; returns the position after it. */
function writeInteger(bytes: Buffer, pos: number, value: number): number {
  if (value < 0) {
    bytes[pos++] = MINUS;
    value = -value;
  }
  let end = pos;
  let rest = value;
  do {
    end++;
    rest = Math.floor(rest / 10);
  } while (rest > 0);
  rest = value;
  for (let at = end; at > pos; rest = Math.floor(rest / 10)) bytes[--at] = ZERO + rest - Math.floor(rest / 10) * 10;
  return end;
}

function* nameChunks(rows: Iterable<readonly [number, string, ...number[]]>): Generator<string> {
  let text = "";
  let count = 0;
  for (const [id, name, ...rest] of rows) {
    text += [id, formatTsvField(name), ...rest].join("\t") + "\n";
    if (++count === NAME_ROWS_PER_CHUNK) {
      yield text;
      text = "";
      count = 0;
    }
  }
  if (count > 0) yield text;
}
