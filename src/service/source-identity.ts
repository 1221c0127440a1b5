// What a snapshot's state came from, so that a snapshot of one source is never taken for another's:
// the demo's generator options, the LFM-1b directory and its files as they are, Kafka's topics and
// how their values are read. Kafka's offsets go in the snapshot beside it (snapshots.ts).
import { readdir, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { TimestampUnit } from "../types.js";
import type { DataSource } from "./settings.js";

export type SourceIdentity = Record<string, unknown>;

/** A file of an LFM-1b directory: a changed or replaced file changes the identity. */
const LFM_FILE = /^LFM-1b_.*\.txt$/;

export async function sourceIdentity(source: Exclude<DataSource, { kind: "store" }>, timestampUnit: TimestampUnit): Promise<SourceIdentity> {
  switch (source.kind) {
    case "demo": {
      const { events, users, artists, seed } = source;
      return { kind: "demo", events, users, artists, seed };
    }
    case "lfm": {
      const dir = resolve(source.dir);
      const names = (await readdir(dir)).filter((name) => LFM_FILE.test(name)).sort();
      const files = await Promise.all(names.map(async (name) => ({ name, ...(await fileVersion(join(dir, name))) })));
      return { kind: "lfm", dir, files };
    }
    case "kafka":
      // JSON timestamps are read in the service's unit; the brokers' addresses may change freely.
      return { kind: "kafka", topics: source.topics, format: source.format ?? "auto", timestampUnit };
  }
}

async function fileVersion(path: string): Promise<{ bytes: number; modifiedMs: number }> {
  const { size, mtimeMs } = await stat(path);
  return { bytes: size, modifiedMs: Math.floor(mtimeMs) };
}
