// The event consumer's Kafka side, in a worker thread (started by event-consumer.ts): kafkajs costs
// about 4 µs of CPU per record and holds its thread for up to a second per fetch, so it must not share
// the thread of the store and the HTTP server. Listening events leave here decoded into columns whose
// buffers move to the main thread without a copy; the main thread applies them and keeps the stats.
import { parentPort, workerData, type MessagePort } from "node:worker_threads";
import { allocateBatch, firstRows } from "../ingest/batch.js";
import type { EventBatch, TimestampUnit } from "../types.js";
import { KafkaClient, type FetchedBatch, type FetchedRecord, type KafkaLogLevel, type Logger, type OutgoingRecord, type RunningConsumer } from "./client.js";
import { decodeEvent, decodeItem, type AvroSchemaIds, type BadRecordReason, type ReadFormat } from "./codecs.js";
import { deadLetter, DeadLetterTopic } from "./dead-letters.js";

export interface WorkerSettings {
  brokers: string[];
  groupId: string;
  format: ReadFormat;
  unit: TimestampUnit;
  schemaIds: AvroSchemaIds;
  topics: string[];
  /**
   * Where to continue in each partition known: the next offset the main thread has not applied. A
   * partition not listed starts at its oldest record.
   */
  startOffsets: Array<[topic: string, partition: number, offset: number]>;
  /** Topics of item names; the others carry listening events. */
  nameTopics: string[];
  deadLetterTopic?: string;
  logLevel?: KafkaLogLevel;
}

/** One partition's share of a fetch, decoded; records the store already holds are left out. */
export interface DecodedBatch {
  type: "batch";
  topic: string;
  partition: number;
  nextOffset: number;
  highWatermark: number;
  /** Epoch ms timestamps. */
  events?: EventBatch;
  /** Produce time (epoch ms) of every record of an event batch, for freshness. */
  producedAt?: Float64Array;
  names?: Array<[number, string]>;
  bad: Array<[offset: string, reason: BadRecordReason]>;
  deadLettered: number;
  /** Bad records the dead-letter topic did not take (they are skipped all the same). */
  deadLetterFailures: number;
}

export type WorkerMessage =
  | DecodedBatch
  | { type: "fetched" }
  | { type: "started" }
  | { type: "failed"; message: string }
  | { type: "log"; level: keyof Logger; message: string };

export type MainMessage = { type: "applied" } | { type: "stop" };

/** Decoded batches posted but not applied yet: enough to keep both threads busy, few enough to bound memory. */
const MAX_UNAPPLIED = 2;

class ConsumerWorker {
  private readonly client: KafkaClient;
  private readonly logger: Logger;
  private readonly deadLetters?: DeadLetterTopic;
  /** Next offset to decode per partition: what the main thread holds once it applied what was posted. */
  private readonly next = new Map<string, number>();
  private consumer?: Promise<RunningConsumer>;
  private unapplied = 0;
  private onApplied?: () => void;

  constructor(
    private readonly port: MessagePort,
    private readonly settings: WorkerSettings,
  ) {
    this.logger = portLogger(port);
    this.client = new KafkaClient({ brokers: settings.brokers, logLevel: settings.logLevel, logger: this.logger });
    if (settings.deadLetterTopic !== undefined) this.deadLetters = new DeadLetterTopic(this.client.createProducer(), settings.deadLetterTopic, this.logger);
    for (const [topic, partition, offset] of settings.startOffsets) this.next.set(key(topic, partition), offset);
    port.on("message", (message: MainMessage) => {
      if (message.type === "applied") this.applied();
      else this.stop().catch((error: Error) => this.logger.warn(`consumer worker stopped uncleanly: ${error.message}`));
    });
  }

  async run(): Promise<void> {
    this.consumer = this.client.startConsumer({
      groupId: this.settings.groupId,
      topics: this.settings.topics,
      onBatch: (batch) => this.decode(batch),
      onFetch: () => this.port.postMessage({ type: "fetched" } satisfies WorkerMessage),
      onJoin: (topic, partition) => this.next.get(key(topic, partition)),
      onCrash: (error) => this.logger.warn(`consumer failed, restarting: ${error.message}`),
    });
    await this.consumer;
    this.port.postMessage({ type: "started" } satisfies WorkerMessage);
  }

  private async stop(): Promise<void> {
    try {
      await (await this.consumer)?.stop();
      await this.deadLetters?.close();
      await this.client.close();
    } finally {
      // Nothing else holds the thread: closing the port lets it exit, which the main thread awaits.
      this.port.close();
    }
  }

  private applied(): void {
    this.unapplied--;
    this.onApplied?.();
  }

  private async decode(batch: FetchedBatch): Promise<void> {
    const { topic, partition, records } = batch;
    // After a rejoin kafkajs may hand over records the store already holds: skip them.
    const next = this.next.get(key(topic, partition)) ?? 0;
    let first = 0;
    while (first < records.length && Number(records[first].offset) < next) first++;
    const decoded: DecodedBatch = {
      type: "batch",
      topic,
      partition,
      nextOffset: batch.nextOffset,
      highWatermark: batch.highWatermark,
      bad: [],
      deadLettered: 0,
      deadLetterFailures: 0,
    };
    const deadLetters: OutgoingRecord[] = [];
    const reject = (record: FetchedRecord, reason: BadRecordReason): void => {
      decoded.bad.push([record.offset, reason]);
      if (this.deadLetters) deadLetters.push(deadLetter(topic, partition, record, reason));
    };
    if (this.settings.nameTopics.includes(topic)) decoded.names = this.decodeNames(records, first, reject);
    else this.decodeEvents(records, first, decoded, reject);
    // A dead letter that cannot be sent is counted, never retried by fetching the batch again: that
    // would stop the good records behind it for as long as the dead-letter topic fails.
    const failed = deadLetters.length > 0 ? await this.deadLetters!.copy(deadLetters) : 0;
    decoded.deadLettered = deadLetters.length - failed;
    decoded.deadLetterFailures = failed;
    this.next.set(key(topic, partition), Math.max(next, batch.nextOffset));
    await this.post(decoded);
  }

  private decodeEvents(records: FetchedRecord[], first: number, out: DecodedBatch, reject: (record: FetchedRecord, reason: BadRecordReason) => void): void {
    const events = allocateBatch(records.length - first);
    const producedAt = new Float64Array(records.length - first);
    let rows = 0;
    for (let i = first; i < records.length; i++) {
      producedAt[i - first] = Number(records[i].timestamp);
      const reason = decodeEvent(records[i].value, this.settings.format, this.settings.unit, events, rows, this.settings.schemaIds.events);
      if (reason === undefined) rows++;
      else reject(records[i], reason);
    }
    out.events = firstRows(events, rows);
    out.producedAt = producedAt;
  }

  private decodeNames(records: FetchedRecord[], first: number, reject: (record: FetchedRecord, reason: BadRecordReason) => void): Array<[number, string]> {
    const names: Array<[number, string]> = [];
    for (let i = first; i < records.length; i++) {
      const item = decodeItem(records[i].value, this.settings.format, this.settings.schemaIds.items);
      if (typeof item === "string") reject(records[i], item);
      else names.push(item);
    }
    return names;
  }

  /** Hands the batch over, moving the column buffers; waits while the main thread is behind. */
  private async post(batch: DecodedBatch): Promise<void> {
    const { events, producedAt } = batch;
    const buffers = events ? [events.userId, events.artistId, events.albumId, events.trackId, events.timestamp, producedAt!].map((column) => column.buffer as ArrayBuffer) : [];
    this.port.postMessage(batch satisfies WorkerMessage, buffers);
    this.unapplied++;
    while (this.unapplied > MAX_UNAPPLIED) await new Promise<void>((resolve) => (this.onApplied = resolve));
  }
}

/** kafkajs's and this worker's log lines go to the main thread's logger. */
function portLogger(port: MessagePort): Logger {
  const send = (level: keyof Logger) => (message: string) => port.postMessage({ type: "log", level, message } satisfies WorkerMessage);
  return { error: send("error"), warn: send("warn"), info: send("info") };
}

function key(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

const port = parentPort!;
new ConsumerWorker(port, workerData as WorkerSettings).run().catch((error: Error) => {
  port.postMessage({ type: "failed", message: error.message } satisfies WorkerMessage);
});
