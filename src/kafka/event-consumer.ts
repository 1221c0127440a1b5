// Feeds a ProfileStore from Kafka: listening events in batches through `store.ingest`, item names
// through `store.setNames`. Replica mode (docs/data.md#replicas): a group of its own reads every
// partition from the beginning, so this instance holds the full graph. Fetching and decoding run in
// a worker thread (consumer-worker.ts); this side applies the decoded batches and keeps the stats.
import { extname } from "node:path";
import { Worker } from "node:worker_threads";
import type { IngestResult } from "../events.js";
import type { ProfileStore } from "../profile-store.js";
import type { EventBatch, Field } from "../types.js";
import { EPOCH_MS } from "../validation.js";
import { BadRecordLog, type BadRecordCounts } from "./bad-records.js";
import type { KafkaClient, KafkaLogLevel, Logger } from "./client.js";
import type { AvroSchemaIds, ReadFormat } from "./codecs.js";
import type { DecodedBatch, MainMessage, WorkerMessage, WorkerSettings } from "./consumer-worker.js";
import { FreshnessWindow, type FreshnessSummary } from "./freshness.js";
import { Positions, type CatchUpProgress } from "./positions.js";

export interface InputTopics {
  events: string;
  artists: string;
  albums: string;
  tracks: string;
}

export const DEFAULT_INPUT_TOPICS: InputTopics = { events: "listeningevents", artists: "artists", albums: "albums", tracks: "tracks" };

/** The seed's topic names, with those given (and not undefined) in their place. */
export function inputTopicNames(topics: Partial<InputTopics> = {}): InputTopics {
  const { events, artists, albums, tracks } = DEFAULT_INPUT_TOPICS;
  return { events: topics.events ?? events, artists: topics.artists ?? artists, albums: topics.albums ?? albums, tracks: topics.tracks ?? tracks };
}

export interface EventConsumerOptions {
  /** host:port of the bootstrap brokers, for the worker's own client. */
  brokers: string[];
  kafkaLogLevel?: KafkaLogLevel;
  format: ReadFormat;
  schemaIds: AvroSchemaIds;
  topics: InputTopics;
  groupId: string;
  /** Bad records are copied to this topic, with the reason and their origin in headers. */
  deadLetterTopic?: string;
  /** Called after every applied batch until caught up, and once when caught up. */
  onProgress?: (progress: CatchUpProgress & { caughtUp: boolean }) => void;
  /** Users whose profile changed, after each applied batch (the first `count` entries). */
  onApplied?: (userIds: Float64Array, count: number) => void;
  /** The store's answer to each applied batch of events, e.g. to count it in metrics. */
  onIngest?: (result: IngestResult) => void;
  /** Without an answered fetch for this long, the broker counts as unreachable. */
  staleAfterMs: number;
  logger: Logger;
  /** Where a restored snapshot's state ends: the next offset to apply per partition. */
  resumeFrom?: AppliedOffsets;
}

/** The next offset to apply in each partition: [topic, partition, offset]. */
export type AppliedOffsets = Array<[topic: string, partition: number, offset: number]>;

export interface EventConsumerStats {
  caughtUp: boolean;
  /** A fetch was answered within staleAfterMs. */
  connected: boolean;
  /** The worker thread consumes: false while it starts, after it died and until its replacement consumes. */
  workerRunning: boolean;
  /** Worker threads started to replace one that stopped unasked. */
  restarts: number;
  catchUp: CatchUpProgress;
  /** Records behind the partitions' ends as of the last fetch. */
  lag: number;
  eventsApplied: number;
  namesApplied: number;
  badRecords: BadRecordCounts;
  /** Bad records copied to the dead-letter topic. */
  deadLettered: number;
  /** Bad records the dead-letter topic did not take, after kafkajs's retries (skipped and counted all the same). */
  deadLetterFailures: number;
  /** Of events applied since catching up (replayed history would only measure its age). */
  freshness: FreshnessSummary;
}

const FIELD_OF_TOPIC = { artists: "ARTIST", albums: "ALBUM", tracks: "TRACK" } as const;

const WORKER_URL = new URL(`./consumer-worker${extname(import.meta.url)}`, import.meta.url);

/**
 * Built, this module and the worker are .js. Under vitest they are TypeScript, which a worker thread
 * loads only through tsx (a devDependency, so a built package never needs it); on Node 20, `--import tsx`
 * in the worker's execArgv registers its hooks too late for the worker's entry, so a tiny script
 * imports the entry through tsx's API instead.
 */
function workerScript(): { script: string | URL; evaluated: boolean } {
  if (!WORKER_URL.pathname.endsWith(".ts")) return { script: WORKER_URL, evaluated: false };
  // An evaluated script resolves packages from the working directory: vitest runs in the repository.
  const entry = JSON.stringify(WORKER_URL.href);
  return { script: `import("tsx/esm/api").then(({ tsImport }) => tsImport(${entry}, ${entry}))`, evaluated: true };
}

/** A worker that stopped unasked is replaced after a pause: this long at first, doubling per replacement, to the maximum. */
const RESTART_PAUSE_MS = { first: 500, max: 10_000 };
/** A worker that consumed this long did well: the pause before its replacement starts from the first again. */
const HEALTHY_RUN_MS = 60_000;
/** How long close() lets the worker leave its group and disconnect before terminating it. */
const STOP_TIMEOUT_MS = 3000;

/** A worker thread and what is known of it. */
interface ConsumerThread {
  thread: Worker;
  /** Since when it consumes (after joining the group), or undefined while it starts. */
  runningSince?: number;
  /** Resolves on the thread's exit, however it came (a listener from the start, so none is missed). */
  exited: Promise<void>;
}

/**
 * Supervises the worker: one that exits unasked (a throw in kafkajs or a decoder, a terminate from
 * outside, a failed start) is replaced after a growing pause, and the replacement continues where the
 * applied records end (the Positions), so nothing is applied twice or skipped.
 */
export class EventConsumer {
  private readonly positions = new Positions();
  private readonly badRecords: BadRecordLog;
  private readonly freshness = new FreshnessWindow();
  private readonly nameFields = new Map<string, Field>();
  private worker?: ConsumerThread;
  private restartTimer?: NodeJS.Timeout;
  private restartPauseMs = RESTART_PAUSE_MS.first;
  private restarts = 0;
  private closing?: Promise<void>;
  private lastFetchAt = 0;
  private eventsApplied = 0;
  private namesApplied = 0;
  private deadLettered = 0;
  private deadLetterFailures = 0;
  private isCaughtUp = false;
  private resolveCaughtUp!: () => void;
  /** Resolves once every record that existed at start has been applied. */
  readonly caughtUp = new Promise<void>((resolve) => (this.resolveCaughtUp = resolve));

  constructor(
    private readonly client: KafkaClient,
    private readonly store: ProfileStore,
    private readonly options: EventConsumerOptions,
  ) {
    this.badRecords = new BadRecordLog(options.logger);
    for (const [name, field] of Object.entries(FIELD_OF_TOPIC)) this.nameFields.set(options.topics[name as keyof typeof FIELD_OF_TOPIC], field);
  }

  /** Reads where every partition ends now (the catch-up target), then starts the worker; rejects when the broker does not answer. */
  async start(): Promise<void> {
    const resume = new Map((this.options.resumeFrom ?? []).map(([topic, partition, offset]) => [`${topic}/${partition}`, offset]));
    for (const topic of this.topicNames()) {
      const ranges = await this.client.partitionRanges(topic);
      const resumeAt = (partition: number) => resume.get(`${topic}/${partition}`);
      for (const { partition, start, end } of ranges) this.warnIfNotResumable(topic, partition, resumeAt(partition), start, end);
      this.positions.addTopic(topic, ranges, resumeAt);
    }
    this.checkCaughtUp();
    if (this.closing === undefined) this.startWorker();
  }

  /** A restored state cannot be taken back: say what it misses (deleted by retention) or cannot match (a recreated topic). */
  private warnIfNotResumable(topic: string, partition: number, resumeAt: number | undefined, start: number, end: number): void {
    if (resumeAt === undefined) return;
    if (resumeAt < start) this.options.logger.warn(`${topic}/${partition}: the snapshot ends at offset ${resumeAt}, but records up to ${start} were deleted: ${start - resumeAt} records are missing`);
    if (resumeAt > end) this.options.logger.warn(`${topic}/${partition}: the snapshot ends at offset ${resumeAt}, beyond the partition's end ${end} (was the topic recreated?): records before ${resumeAt} are skipped`);
  }

  /** Where the applied records end in each partition: what a snapshot of the store reflects. */
  appliedOffsets(): AppliedOffsets {
    return this.positions.nextOffsets();
  }

  stats(): EventConsumerStats {
    return {
      caughtUp: this.isCaughtUp,
      connected: Date.now() - this.lastFetchAt < this.options.staleAfterMs,
      workerRunning: this.worker?.runningSince !== undefined,
      restarts: this.restarts,
      catchUp: this.positions.progress(),
      lag: this.positions.lag(),
      eventsApplied: this.eventsApplied,
      namesApplied: this.namesApplied,
      badRecords: { ...this.badRecords.counts },
      deadLettered: this.deadLettered,
      deadLetterFailures: this.deadLetterFailures,
      freshness: this.freshness.summary(),
    };
  }

  /** Stops the worker, or the pending restart; finishes in every state, and a second call awaits the first. */
  close(): Promise<void> {
    this.closing ??= this.stopWorker();
    return this.closing;
  }

  /** For tests: ends the worker thread at once, as a crash would; supervision replaces it. */
  async terminateWorker(): Promise<void> {
    await this.worker?.thread.terminate();
  }

  private async stopWorker(): Promise<void> {
    clearTimeout(this.restartTimer);
    const worker = this.worker;
    if (worker === undefined) return;
    worker.thread.postMessage({ type: "stop" } satisfies MainMessage);
    const timeout = setTimeout(() => {
      this.options.logger.warn(`the consumer worker did not stop within ${STOP_TIMEOUT_MS / 1000} s: terminating it`);
      void worker.thread.terminate();
    }, STOP_TIMEOUT_MS);
    await worker.exited;
    clearTimeout(timeout);
  }

  private topicNames(): string[] {
    return [...new Set(Object.values(this.options.topics))];
  }

  private startWorker(): void {
    const { brokers, groupId, format, schemaIds, deadLetterTopic, kafkaLogLevel } = this.options;
    const settings: WorkerSettings = {
      brokers,
      // A replacement joins a group of its own: in the old one it would wait for the dead member's
      // session to time out. The group only assigns partitions (nothing is committed), so this is free.
      groupId: this.restarts === 0 ? groupId : `${groupId}-${this.restarts}`,
      format,
      schemaIds,
      unit: this.store.options.timestampUnit,
      topics: this.topicNames(),
      startOffsets: this.positions.nextOffsets(),
      nameTopics: [...this.nameFields.keys()],
      deadLetterTopic,
      logLevel: kafkaLogLevel,
    };
    const { script, evaluated } = workerScript();
    const thread = new Worker(script, { eval: evaluated, workerData: settings });
    const worker: ConsumerThread = { thread, exited: new Promise((resolve) => thread.once("exit", () => resolve())) };
    this.worker = worker;
    thread.on("message", (message: WorkerMessage) => this.receive(worker, message));
    thread.on("error", (error) => this.options.logger.error(`consumer worker failed: ${error.message}`));
    thread.on("exit", (code) => this.onExit(worker, code));
  }

  private receive(worker: ConsumerThread, message: WorkerMessage): void {
    switch (message.type) {
      case "batch":
        return this.apply(message, worker.thread);
      case "fetched":
        this.lastFetchAt = Date.now();
        return;
      case "started":
        worker.runningSince = Date.now();
        return;
      case "failed":
        // Its exit brings the replacement.
        this.options.logger.error(`consumer worker cannot consume: ${message.message}`);
        void worker.thread.terminate();
        return;
      case "log":
        this.options.logger[message.level](message.message);
    }
  }

  private onExit(worker: ConsumerThread, code: number): void {
    this.worker = undefined;
    if (this.closing !== undefined) return;
    if (worker.runningSince !== undefined && Date.now() - worker.runningSince >= HEALTHY_RUN_MS) this.restartPauseMs = RESTART_PAUSE_MS.first;
    const pause = this.restartPauseMs;
    this.restartPauseMs = Math.min(2 * pause, RESTART_PAUSE_MS.max);
    this.options.logger.error(`consumer worker exited (code ${code}); a new one continues after the applied records in ${pause / 1000} s`);
    this.restartTimer = setTimeout(() => {
      this.restarts++;
      this.startWorker();
    }, pause);
  }

  private apply(batch: DecodedBatch, worker: Worker): void {
    const { topic, partition } = batch;
    for (const [offset, reason] of batch.bad) this.badRecords.report(topic, partition, offset, reason);
    this.deadLettered += batch.deadLettered;
    this.deadLetterFailures += batch.deadLetterFailures;
    if (batch.events) this.applyEvents(batch.events, batch.producedAt!);
    if (batch.names) this.namesApplied += this.store.setNames(this.nameFields.get(topic)!, batch.names);
    this.positions.advance(topic, partition, batch.nextOffset, batch.highWatermark);
    worker.postMessage({ type: "applied" } satisfies MainMessage);
    if (!this.isCaughtUp) this.reportProgress();
  }

  private applyEvents(events: EventBatch, producedAt: Float64Array): void {
    const rows = events.userId.length;
    if (rows === 0) return;
    const result = this.store.ingest(events, EPOCH_MS);
    this.eventsApplied += result.accepted;
    this.options.onIngest?.(result);
    this.options.onApplied?.(events.userId, rows);
    if (this.isCaughtUp) this.observeFreshness(producedAt);
  }

  private observeFreshness(producedAt: Float64Array): void {
    const now = Date.now();
    this.freshness.advance(now);
    for (const at of producedAt) this.freshness.observe(now - at);
  }

  private reportProgress(): void {
    this.checkCaughtUp();
    if (!this.isCaughtUp) this.options.onProgress?.({ ...this.positions.progress(), caughtUp: false });
  }

  private checkCaughtUp(): void {
    if (this.isCaughtUp || !this.positions.caughtUp()) return;
    this.isCaughtUp = true;
    this.options.onProgress?.({ ...this.positions.progress(), caughtUp: true });
    this.resolveCaughtUp();
  }
}
