// The service's snapshots (serve --state-dir): one file in the state directory holding the store's
// state, the data source it came from and, with Kafka, the offsets it reflects. At start a snapshot
// of the same source is restored instead of loading the source; any other is refused with a
// warning, and the source is loaded from the beginning. Once loaded, a snapshot is written every
// interval or every so many events, whichever comes first, and a last one when the service stops.
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import type { FastifyBaseLogger } from "fastify";
import { z } from "zod";
import type { SnapshotStats, SnapshotStatsReader } from "../http/metrics.js";
import type { AppliedOffsets } from "../kafka/event-consumer.js";
import { makeDirectory } from "../make-directory.js";
import { ProfileStore } from "../profile-store.js";
import type { TimestampUnit } from "../types.js";
import type { ProfileStoreOptions } from "../validation.js";
import { SnapshotError } from "../snapshot/errors.js";
import { removeStaleTemporaries, SnapshotReader, writeSnapshotFile } from "../snapshot/file.js";
import { bytesProgress, type DataSource, type ProgressReporter } from "./settings.js";
import { sourceIdentity, type SourceIdentity } from "./source-identity.js";

export const SNAPSHOT_FILE = "snapshot.bin";
/** Holds the pid of the service that writes the directory's snapshots: one writer per directory. */
export const LOCK_FILE = "lock";

/** How often the service snapshots: whichever comes first. */
export interface SnapshotPolicy {
  dir: string;
  intervalSeconds: number;
  events: number;
}

export const SNAPSHOT_DEFAULTS = { intervalSeconds: 60, events: 1_000_000 } as const;
/** The policy is checked this often at most (and at every interval, when shorter). */
const CHECK_MS = 1000;

/** What the service attaches to the store's state in the snapshot file. */
const attachmentSchema = z.object({ source: z.record(z.string(), z.unknown()), offsets: z.array(z.tuple([z.string(), z.number().int().min(0), z.number().int().min(0)])) });
type Attachment = z.infer<typeof attachmentSchema>;

export type Restored =
  | { kind: "restored"; store: ProfileStore; offsets: AppliedOffsets; createdAt: number; bytes: number; seconds: number }
  | { kind: "none"; path: string }
  | { kind: "refused"; error: Error };

/** What the service snapshots from, and what it found in the state directory at start. */
export interface SnapshotState {
  identity: SourceIdentity;
  restored: Restored;
  /** Gives the directory back (removes the lock file). */
  unlock(): Promise<void>;
}

/**
 * Takes the state directory (creating it if missing) and restores its snapshot when it is one of
 * `source`'s; never throws for a bad snapshot file. A directory that cannot be made, is not
 * writable or is another running service's fails the start, naming the directory and why.
 */
export async function restoreState(
  source: Exclude<DataSource, { kind: "store" }>,
  { dir }: SnapshotPolicy,
  options: ProfileStoreOptions & { timestampUnit: TimestampUnit },
  progress?: ProgressReporter,
): Promise<SnapshotState> {
  const identity = await sourceIdentity(source, options.timestampUnit);
  await makeDirectory(dir).catch((error: Error) => {
    throw new Error(`--state-dir ${dir} cannot be made: ${error.message}`);
  });
  const unlock = await lockStateDir(dir);
  try {
    return { identity, restored: await restoreSnapshot(join(dir, SNAPSHOT_FILE), identity, options, progress), unlock };
  } catch (error) {
    await unlock();
    throw error;
  }
}

/** Writes the lock file, or names the running service that holds it; a lock whose process is gone is taken over. */
async function lockStateDir(dir: string): Promise<() => Promise<void>> {
  const path = join(dir, LOCK_FILE);
  const unlock = () => rm(path, { force: true });
  for (;;) {
    try {
      await writeFile(path, `${process.pid}\n`, { flag: "wx" });
      return unlock;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw new Error(`--state-dir ${dir} is not writable: ${(error as Error).message}`);
    }
    const owner = Number.parseInt(await readFile(path, "utf8").catch(() => ""), 10);
    if (isRunning(owner)) throw new Error(`--state-dir ${dir} is in use by process ${owner} (its lock file ${path}): stop that service or give this one another --state-dir`);
    await unlock();
  }
}

function isRunning(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function restoreSnapshot(path: string, identity: SourceIdentity, options: ProfileStoreOptions, progress?: ProgressReporter): Promise<Restored> {
  const started = performance.now();
  const shown = bytesProgress(progress, `restore ${path}`);
  let snapshot: SnapshotReader;
  try {
    snapshot = await SnapshotReader.open(path, { onProgress: shown.update });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { kind: "none", path };
    return { kind: "refused", error: error as Error };
  }
  try {
    const attachment = checkAttachment(snapshot, identity);
    const store = await ProfileStore.restore(snapshot, options);
    return { kind: "restored", store, offsets: attachment.offsets, createdAt: snapshot.header.createdAt, bytes: snapshot.bytes, seconds: (performance.now() - started) / 1000 };
  } catch (error) {
    return { kind: "refused", error: error as Error };
  } finally {
    shown.stop();
    await snapshot.close();
  }
}

/** The attachment, when it names the same source as `identity`; else the SnapshotError that says how they differ. */
function checkAttachment({ header, path }: SnapshotReader, identity: SourceIdentity): Attachment {
  const parsed = attachmentSchema.safeParse(header.attachment);
  if (!parsed.success) throw new SnapshotError("source", path, "it names no data source (saved by store.save, not by the service?)");
  const theirs = parsed.data.source;
  for (const key of new Set([...Object.keys(identity), ...Object.keys(theirs)])) {
    if (!isDeepStrictEqual(theirs[key], identity[key])) {
      const [name, was, is] = firstDifference(key, theirs[key], identity[key]);
      throw new SnapshotError("source", path, `it was taken with ${name} ${JSON.stringify(was) ?? "absent"}; this service has ${name} ${JSON.stringify(is) ?? "absent"}`);
    }
  }
  return parsed.data;
}

/** Of two lists that differ (an LFM-1b directory's files), the first entry that differs; a list may be long. */
function firstDifference(key: string, theirs: unknown, ours: unknown): [string, unknown, unknown] {
  if (!Array.isArray(theirs) || !Array.isArray(ours)) return [key, theirs, ours];
  let at = 0;
  while (isDeepStrictEqual(theirs[at], ours[at])) at++;
  return [`${key}[${at}]`, theirs[at], ours[at]];
}

/** Writes snapshots by the policy from `start` (once the source is loaded) until `stop`; reports them to /metrics. */
export class SnapshotSchedule implements SnapshotStatsReader {
  private readonly path: string;
  private timer?: NodeJS.Timeout;
  private saving?: Promise<unknown>;
  private eventsAtLast = 0;
  private lastAttempt = 0;
  private readonly latest: SnapshotStats;

  constructor(
    private readonly store: ProfileStore,
    private readonly policy: SnapshotPolicy,
    private readonly attachment: () => Attachment,
    private readonly log: FastifyBaseLogger,
    /** The snapshot restored at start, if any: the newest one until the first write. */
    restored?: { createdAt: number; bytes: number },
  ) {
    this.path = join(policy.dir, SNAPSHOT_FILE);
    this.latest = { stateSince: restored?.createdAt ?? Date.now(), bytes: restored?.bytes ?? 0, durationSeconds: 0, pauseSeconds: 0, failures: 0 };
  }

  /** Counts the interval and the events from now on: a snapshot restored or not, the loaded state is new to the policy. */
  start(): void {
    this.eventsAtLast = this.store.stats().events.accepted;
    this.lastAttempt = Date.now();
    this.timer = setInterval(() => this.check(), Math.min(CHECK_MS, this.policy.intervalSeconds * 1000));
    this.timer.unref();
  }

  stats(): SnapshotStats {
    return { ...this.latest };
  }

  /** Stops the schedule and, if it was started, writes a last snapshot (after the one in progress, if
   *  any); rejects when that one fails, saying since when the state is not saved. */
  async stop(): Promise<void> {
    if (this.timer === undefined) return;
    clearInterval(this.timer);
    await this.saving;
    const failure = await this.save();
    if (failure === undefined) return;
    // Bytes of 0: no snapshot was restored or written, so the file holds nothing of this run's.
    const since = this.latest.bytes > 0 ? `since ${new Date(this.latest.stateSince).toISOString()}` : "of this run";
    throw new Error(`the last snapshot failed, so the state ${since} is not saved in ${this.path}: ${failure.message}`);
  }

  private check(): void {
    if (this.saving) return;
    const events = this.store.stats().events.accepted - this.eventsAtLast;
    if (events >= this.policy.events || Date.now() - this.lastAttempt >= this.policy.intervalSeconds * 1000) {
      this.saving = this.save().finally(() => (this.saving = undefined));
    }
  }

  /** Copies the state and the offsets it reflects at one moment, then writes them; logs a failure and
   *  returns it. A failed attempt counts as one for the policy, so the next comes an interval or so
   *  many events later, not at once. */
  private async save(): Promise<Error | undefined> {
    const started = performance.now();
    this.lastAttempt = Date.now();
    this.eventsAtLast = this.store.stats().events.accepted;
    try {
      const { header, sections } = this.store.snapshot();
      const attachment = this.attachment();
      const pauseSeconds = (performance.now() - started) / 1000;
      await removeStaleTemporaries(this.path);
      const bytes = await writeSnapshotFile(this.path, { ...header, attachment }, sections);
      const durationSeconds = (performance.now() - started) / 1000;
      Object.assign(this.latest, { stateSince: header.createdAt, bytes, durationSeconds, pauseSeconds });
      this.log.info(`snapshot ${this.path}: ${(bytes / 1e6).toFixed(1)} MB in ${durationSeconds.toFixed(2)} s (ingest paused ${(pauseSeconds * 1000).toFixed(0)} ms)`);
      return undefined;
    } catch (error) {
      this.latest.failures++;
      this.log.error({ err: error }, `snapshot ${this.path} failed: ${(error as Error).message}`);
      return error as Error;
    }
  }
}
