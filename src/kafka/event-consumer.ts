// Feeds a ProfileStore from Kafka: listening events in batches through `store.ingest`, item names
// through `store.setNames`. Replica mode (DESIGN.md section 6): a group of its own reads every
// partition from the beginning, so this instance holds the full graph. Fetching and decoding run in
// a worker thread (consumer-worker.ts); this side applies the decoded batches and keeps the stats.
import { once } from "node:events";
import { extname } from "node:path";
import { Worker } from "node:worker_threads";
import type { IngestResult } from "../events.js";
import type { ProfileStore } from "../profile-store.js";
import type { EventBatch, Field } from "../types.js";
import { EPOCH_MS } from "../validation.js";
import { BadRecordLog, type BadRecordCounts } from "./bad-records.js";
import type { KafkaClient, KafkaLogLevel, Logger, PartitionRange } from "./client.js";
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
}

export interface EventConsumerStats {
  caughtUp: boolean;
  /** A fetch was answered within staleAfterMs. */
  connected: boolean;
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

export class EventConsumer {
  private readonly positions = new Positions();
  private readonly badRecords: BadRecordLog;
  private readonly freshness = new FreshnessWindow();
  private readonly nameFields = new Map<string, Field>();
  private worker?: Worker;
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

  /** Reads where every partition ends now (the catch-up target), then starts consuming. */
  async start(): Promise<void> {
    const ranges: Record<string, PartitionRange[]> = {};
    for (const topic of Object.values(this.options.topics)) {
      ranges[topic] = await this.client.partitionRanges(topic);
      this.positions.addTopic(topic, ranges[topic]);
    }
    this.checkCaughtUp();
    this.worker = await this.startWorker(ranges);
  }

  stats(): EventConsumerStats {
    return {
      caughtUp: this.isCaughtUp,
      connected: Date.now() - this.lastFetchAt < this.options.staleAfterMs,
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

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined; // a second close finds the worker gone
    if (worker === undefined) return;
    const exited = once(worker, "exit");
    worker.postMessage({ type: "stop" } satisfies MainMessage);
    await exited;
  }

  /** Resolves once the worker consumes; rejects, with the worker gone, when it cannot start. */
  private startWorker(ranges: Record<string, PartitionRange[]>): Promise<Worker> {
    const { brokers, groupId, format, schemaIds, deadLetterTopic, kafkaLogLevel, logger } = this.options;
    const settings: WorkerSettings = {
      brokers,
      groupId,
      format,
      schemaIds,
      unit: this.store.options.timestampUnit,
      ranges,
      nameTopics: [...this.nameFields.keys()],
      deadLetterTopic,
      logLevel: kafkaLogLevel,
    };
    const { script, evaluated } = workerScript();
    const worker = new Worker(script, { eval: evaluated, workerData: settings });
    return new Promise((resolve, reject) => {
      worker.on("message", (message: WorkerMessage) => {
        if (message.type === "started") resolve(worker);
        else if (message.type === "failed") void worker.terminate().then(() => reject(new Error(message.message)));
        else if (message.type === "fetched") this.lastFetchAt = Date.now();
        else if (message.type === "log") logger[message.level](message.message);
        else this.apply(message, worker);
      });
      worker.on("error", (error) => {
        logger.error(`consumer worker failed: ${error.message}`);
        reject(error);
      });
    });
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
