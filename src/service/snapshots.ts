// The service's snapshots (serve --state-dir): one file in the state directory holding the store's
// state, the data source it came from and, with Kafka, the offsets it reflects. At start a snapshot
// of the same source is restored instead of loading the source; any other is refused with a
// warning, and the source is loaded from the beginning. Once loaded, a snapshot is written every
// interval or every so many events, whichever comes first, and a last one when the service stops.
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import type { FastifyBaseLogger } from "fastify";
import { z } from "zod";
import type { SnapshotStats, SnapshotStatsReader } from "../http/metrics.js";
import type { AppliedOffsets } from "../kafka/event-consumer.js";
import { ProfileStore } from "../profile-store.js";
import type { TimestampUnit } from "../types.js";
import type { ProfileStoreOptions } from "../validation.js";
import { SnapshotError } from "../snapshot/errors.js";
import { removeStaleTemporaries, SnapshotReader, writeSnapshotFile } from "../snapshot/file.js";
import type { DataSource } from "./settings.js";
import { sourceIdentity, type SourceIdentity } from "./source-identity.js";

export const SNAPSHOT_FILE = "snapshot.bin";

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
}

/**
 * Restores the state directory's snapshot when it is one of `source`'s; never throws for a bad file.
 * Creates the directory if missing, so that one that cannot be made fails the start.
 */
export async function restoreState(source: Exclude<DataSource, { kind: "store" }>, { dir }: SnapshotPolicy, options: ProfileStoreOptions & { timestampUnit: TimestampUnit }): Promise<SnapshotState> {
  const identity = await sourceIdentity(source, options.timestampUnit);
  await mkdir(dir, { recursive: true });
  return { identity, restored: await restoreSnapshot(join(dir, SNAPSHOT_FILE), identity, options) };
}

async function restoreSnapshot(path: string, identity: SourceIdentity, options: ProfileStoreOptions): Promise<Restored> {
  const started = performance.now();
  let snapshot: SnapshotReader;
  try {
    snapshot = await SnapshotReader.open(path);
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
      throw new SnapshotError("source", path, `it was taken with ${key} ${JSON.stringify(theirs[key])}; this service has ${key} ${JSON.stringify(identity[key])}`);
    }
  }
  return parsed.data;
}

/** Writes snapshots by the policy from `start` (once the source is loaded) until `stop`; reports them to /metrics. */
export class SnapshotSchedule implements SnapshotStatsReader {
  private readonly path: string;
  private timer?: NodeJS.Timeout;
  private saving?: Promise<void>;
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

  /** Stops the schedule and, if it was started, writes a last snapshot (after the one in progress, if any). */
  async stop(): Promise<void> {
    if (this.timer === undefined) return;
    clearInterval(this.timer);
    await this.saving;
    await this.save();
  }

  private check(): void {
    if (this.saving) return;
    const events = this.store.stats().events.accepted - this.eventsAtLast;
    if (events >= this.policy.events || Date.now() - this.lastAttempt >= this.policy.intervalSeconds * 1000) {
      this.saving = this.save().finally(() => (this.saving = undefined));
    }
  }

  /** Copies the state and the offsets it reflects at one moment, then writes them; logs a failure and goes on. */
  private async save(): Promise<void> {
    const started = performance.now();
    this.lastAttempt = Date.now();
    try {
      const { header, sections } = this.store.snapshot();
      const attachment = this.attachment();
      const pauseSeconds = (performance.now() - started) / 1000;
      await removeStaleTemporaries(this.path);
      const bytes = await writeSnapshotFile(this.path, { ...header, attachment }, sections);
      const durationSeconds = (performance.now() - started) / 1000;
      Object.assign(this.latest, { stateSince: header.createdAt, bytes, durationSeconds, pauseSeconds });
      this.eventsAtLast = header.events.accepted;
      this.log.info(`snapshot ${this.path}: ${(bytes / 1e6).toFixed(1)} MB in ${durationSeconds.toFixed(2)} s (ingest paused ${(pauseSeconds * 1000).toFixed(0)} ms)`);
    } catch (error) {
      this.latest.failures++;
      this.log.error({ err: error }, `snapshot ${this.path} failed: ${(error as Error).message}`);
    }
  }
}
