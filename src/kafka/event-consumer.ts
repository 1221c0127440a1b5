// Feeds a ProfileStore from Kafka: listening events in batches through `store.ingest`, item names
// through `store.setNames`. Replica mode (DESIGN.md section 6): a group of its own reads every
// partition from the beginning, so this instance holds the full graph.
import type { IngestResult } from "../events.js";
import { allocateBatch, truncateBatch, type EventBatch } from "../ingest/batch.js";
import type { ProfileStore } from "../profile-store.js";
import type { Field } from "../types.js";
import { BadRecordLog, type BadRecordCounts } from "./bad-records.js";
import type { FetchedBatch, FetchedRecord, KafkaClient, Logger, OutgoingRecord, RecordProducer, RunningConsumer } from "./client.js";
import { decodeEvent, decodeItem, type BadRecordReason, type ReadFormat } from "./codecs.js";
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
  format: ReadFormat;
  topics: InputTopics;
  groupId: string;
  /** Bad records are copied here, with the reason and their origin in headers. */
  deadLetter?: { topic: string; producer: RecordProducer };
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
  deadLettered: number;
  /** Of events applied since catching up (replayed history would only measure its age). */
  freshness: FreshnessSummary;
}

const FIELD_OF_TOPIC = { artists: "ARTIST", albums: "ALBUM", tracks: "TRACK" } as const;

export class EventConsumer {
  private readonly positions = new Positions();
  private readonly badRecords: BadRecordLog;
  private readonly freshness = new FreshnessWindow();
  private readonly nameFields = new Map<string, Field>();
  private columns: EventBatch = allocateBatch(4096);
  private consumer?: RunningConsumer;
  private lastFetchAt = 0;
  private eventsApplied = 0;
  private namesApplied = 0;
  private deadLettered = 0;
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
    const topics = Object.values(this.options.topics);
    for (const topic of topics) this.positions.addTopic(topic, await this.client.partitionRanges(topic));
    this.checkCaughtUp();
    this.consumer = await this.client.startConsumer({
      groupId: this.options.groupId,
      topics,
      onBatch: (batch) => this.apply(batch),
      onFetch: () => (this.lastFetchAt = Date.now()),
      onJoin: (topic, partition) => this.positions.next(topic, partition),
      onCrash: (error) => this.options.logger.warn(`consumer failed, restarting: ${error.message}`),
    });
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
      freshness: this.freshness.summary(),
    };
  }

  async close(): Promise<void> {
    await this.consumer?.stop();
  }

  private async apply(batch: FetchedBatch): Promise<void> {
    const { topic, partition, records } = batch;
    // After a rejoin kafkajs may hand over records this store already holds: skip them.
    const next = this.positions.next(topic, partition) ?? 0;
    let first = 0;
    while (first < records.length && Number(records[first].offset) < next) first++;
    const deadLetters: OutgoingRecord[] = [];
    const field = this.nameFields.get(topic);
    if (field === undefined) await this.applyEvents(batch, first, deadLetters);
    else await this.applyNames(batch, first, field, deadLetters);
    this.positions.advance(topic, partition, batch.nextOffset, batch.highWatermark);
    if (!this.isCaughtUp) this.reportProgress();
    // Let timers and requests run between batches: a long catch-up must not starve the HTTP server.
    await new Promise((resolve) => setImmediate(resolve));
  }

  private async applyEvents(batch: FetchedBatch, first: number, deadLetters: OutgoingRecord[]): Promise<void> {
    const { records } = batch;
    const columns = this.columnsFor(records.length - first);
    const { format } = this.options;
    const unit = this.store.options.timestampUnit;
    let rows = 0;
    for (let i = first; i < records.length; i++) {
      const reason = decodeEvent(records[i].value, format, unit, columns, rows);
      if (reason === undefined) rows++;
      else this.reject(batch, records[i], reason, deadLetters);
    }
    // Dead letters go out before the batch counts as applied, so a failed send retries the batch.
    await this.sendDeadLetters(deadLetters);
    if (rows === 0) return;
    const result = this.store.ingest(truncateBatch(columns, rows));
    this.eventsApplied += result.accepted;
    this.options.onIngest?.(result);
    this.options.onApplied?.(columns.userId, rows);
    if (this.isCaughtUp) this.observeFreshness(records, first);
  }

  private async applyNames(batch: FetchedBatch, first: number, field: Field, deadLetters: OutgoingRecord[]): Promise<void> {
    const names: Array<[number, string]> = [];
    for (let i = first; i < batch.records.length; i++) {
      const item = decodeItem(batch.records[i].value, this.options.format);
      if (typeof item === "string") this.reject(batch, batch.records[i], item, deadLetters);
      else names.push(item);
    }
    await this.sendDeadLetters(deadLetters);
    this.namesApplied += this.store.setNames(field, names);
  }

  private reject(batch: FetchedBatch, record: FetchedRecord, reason: BadRecordReason, deadLetters: OutgoingRecord[]): void {
    this.badRecords.report(batch.topic, batch.partition, record.offset, reason);
    if (this.options.deadLetter === undefined) return;
    deadLetters.push({
      key: record.key ?? Buffer.alloc(0),
      value: record.value ?? Buffer.alloc(0),
      headers: { reason, topic: batch.topic, partition: String(batch.partition), offset: record.offset },
    });
  }

  private async sendDeadLetters(records: OutgoingRecord[]): Promise<void> {
    const deadLetter = this.options.deadLetter;
    if (deadLetter === undefined || records.length === 0) return;
    await deadLetter.producer.send(deadLetter.topic, records);
    this.deadLettered += records.length;
  }

  private observeFreshness(records: FetchedRecord[], first: number): void {
    const now = Date.now();
    this.freshness.advance(now);
    for (let i = first; i < records.length; i++) this.freshness.observe(now - Number(records[i].timestamp));
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

  /** The reusable decode window, grown when a batch is larger than any before. */
  private columnsFor(count: number): EventBatch {
    if (count > this.columns.length) this.columns = allocateBatch(Math.max(count, 2 * this.columns.length));
    return this.columns;
  }
}
