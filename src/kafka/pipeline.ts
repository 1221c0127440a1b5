// The Kafka side of `profile-store serve --kafka`: the event consumer, the optional dead-letter topic
// and the optional profile output topics, started in the background and retried until the broker
// answers, so the service can serve (and report not-ready) while Kafka is away.
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { IngestResult } from "../events.js";
import type { ProfileStore } from "../profile-store.js";
import { consoleLogger, KafkaClient, type KafkaLogLevel, type Logger, type RecordProducer } from "./client.js";
import { DEFAULT_SCHEMA_IDS, type AvroSchemaIds, type ReadFormat } from "./codecs.js";
import { EventConsumer, inputTopicNames, type AppliedOffsets, type EventConsumerStats, type InputTopics } from "./event-consumer.js";
import type { CatchUpProgress } from "./positions.js";
import { outputTopicNames, ProfilePublisher, type ProfileOutputOptions, type ProfileOutputStats } from "./profile-producer.js";

export interface KafkaPipelineOptions {
  /** host:port of the bootstrap brokers. */
  brokers: string[];
  /** Value format of the input topics (default "auto": Avro when the magic byte 0 leads, else JSON). */
  format?: ReadFormat;
  /**
   * Avro schema ids taken as a ListeningEvent (events topic) and as an Item (name topics); a value
   * framed with any other id is skipped as "unknown-schema". Default [0] for both, the id this
   * project's producers write.
   */
  avroSchemaIds?: Partial<AvroSchemaIds>;
  topics?: Partial<InputTopics>;
  /**
   * Default: a new group per start, so this replica reads every partition from the beginning. A
   * worker that replaces one that died joins `<groupId>-<n>` (n = restarts so far).
   */
  groupId?: string;
  /** Partitions of the topics this creates when they are missing (default 1). */
  partitions?: number;
  deadLetterTopic?: string;
  /** Publishes profiles to the output topics when given (off by default). */
  output?: ProfileOutputOptions;
  /** Without an answered fetch for this long, the pipeline reports not ready (default 10 s). */
  staleAfterMs?: number;
  onProgress?: (progress: CatchUpProgress & { caughtUp: boolean }) => void;
  /** The store's answer to each applied batch of events, e.g. to count it in metrics. */
  onIngest?: (result: IngestResult) => void;
  logger?: Logger;
  kafkaLogLevel?: KafkaLogLevel;
  /** Continue after a restored snapshot's state: the next offset to apply per partition (others start at their oldest record). */
  resumeFrom?: AppliedOffsets;
}

export interface KafkaPipelineStats extends EventConsumerStats {
  /** Caught up with the topics as they were at start, the broker answers and the consumer worker runs. */
  ready: boolean;
  output?: ProfileOutputStats;
}

export interface KafkaPipeline {
  /** Resolves once every record that existed at start has been applied. */
  readonly caughtUp: Promise<void>;
  isReady(): boolean;
  stats(): KafkaPipelineStats;
  /** The next offset to apply per partition, consistent with the store at this moment (a snapshot takes both at once). */
  appliedOffsets(): AppliedOffsets;
  /** Finishes in every state: consuming, starting, retrying the broker, between worker restarts, closed. */
  close(): Promise<void>;
  /** For tests: ends the consumer's worker thread at once, as a crash would; the pipeline replaces it. */
  terminateWorker(): Promise<void>;
}

const RETRY_START_MS = 5000;

/** Starts consuming into `store` in the background; never throws for an unreachable broker. */
export function startKafkaPipeline(store: ProfileStore, options: KafkaPipelineOptions): KafkaPipeline {
  const format = options.format ?? "auto";
  if (format !== "json" && store.options.timestampUnit === "s") {
    throw new RangeError('Avro timestamps are epoch ms: the store must read timestamps as "ms" or "auto", not "s"');
  }
  const schemaIds = { events: checkSchemaIds(options.avroSchemaIds?.events, "events"), items: checkSchemaIds(options.avroSchemaIds?.items, "items") };
  return new Pipeline(store, { ...options, format, schemaIds });
}

/** A Confluent schema id is an unsigned 32-bit integer; an empty list would refuse every Avro value. */
function checkSchemaIds(ids: readonly number[] | undefined, kind: keyof AvroSchemaIds): readonly number[] {
  if (ids === undefined) return DEFAULT_SCHEMA_IDS;
  if (ids.length === 0) throw new RangeError(`avroSchemaIds.${kind} is empty: give at least one schema id`);
  for (const id of ids) {
    if (!Number.isInteger(id) || id < 0 || id > 0xffffffff) throw new RangeError(`avroSchemaIds.${kind}: ${id} is not a schema id (an integer from 0 to 4294967295)`);
  }
  return [...ids];
}

class Pipeline implements KafkaPipeline {
  readonly caughtUp: Promise<void>;
  private readonly client: KafkaClient;
  private readonly logger: Logger;
  private readonly topics: InputTopics;
  private readonly producer?: RecordProducer;
  private readonly publisher?: ProfilePublisher;
  private readonly consumer: EventConsumer;
  private readonly started: Promise<void>;
  /** Set by the first close(): from then on nothing starts again. */
  private closing?: Promise<void>;
  /** Cuts the pause between start attempts short when closing. */
  private wake?: () => void;

  constructor(
    store: ProfileStore,
    private readonly options: KafkaPipelineOptions & { format: ReadFormat; schemaIds: AvroSchemaIds },
  ) {
    const { deadLetterTopic, output } = options;
    this.logger = options.logger ?? consoleLogger("kafka");
    this.client = new KafkaClient({ brokers: options.brokers, logLevel: options.kafkaLogLevel, logger: this.logger });
    this.topics = inputTopicNames(options.topics);
    const producer = output !== undefined ? this.client.createProducer() : undefined;
    const publisher = output && producer && new ProfilePublisher(store, producer, output, this.logger);
    this.producer = producer;
    this.publisher = publisher;
    this.consumer = new EventConsumer(this.client, store, {
      brokers: options.brokers,
      kafkaLogLevel: options.kafkaLogLevel,
      format: options.format,
      schemaIds: options.schemaIds,
      topics: this.topics,
      groupId: options.groupId ?? `profile-store-${hostname()}-${randomUUID().slice(0, 8)}`,
      deadLetterTopic,
      onProgress: options.onProgress,
      onApplied: publisher && ((userIds, count) => publisher.markChanged(userIds, count)),
      onIngest: options.onIngest,
      staleAfterMs: options.staleAfterMs ?? 10_000,
      logger: this.logger,
      resumeFrom: options.resumeFrom,
    });
    this.caughtUp = this.consumer.caughtUp;
    // Publishing starts once caught up: mid-replay profiles would move the output topics backwards.
    void this.caughtUp.then(() => this.publisher?.start());
    this.started = this.startUntilConnected();
  }

  isReady(): boolean {
    return this.stats().ready;
  }

  stats(): KafkaPipelineStats {
    const consumer = this.consumer.stats();
    return { ...consumer, ready: consumer.caughtUp && consumer.connected && consumer.workerRunning, output: this.publisher?.stats() };
  }

  appliedOffsets(): AppliedOffsets {
    return this.consumer.appliedOffsets();
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  terminateWorker(): Promise<void> {
    return this.consumer.terminateWorker();
  }

  private async shutdown(): Promise<void> {
    this.wake?.();
    await this.started;
    await this.consumer.close();
    await this.publisher?.close();
    await this.producer?.close();
    await this.client.close();
  }

  private async startUntilConnected(): Promise<void> {
    while (this.closing === undefined) {
      try {
        return await this.start();
      } catch (error) {
        // Closed during this attempt: the wake-up came before the pause below, so do not pause.
        if (this.closing !== undefined) return;
        const brokers = this.options.brokers.join(",");
        this.logger.warn(`cannot consume from ${brokers}, retrying in ${RETRY_START_MS / 1000} s: ${(error as Error).message}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, RETRY_START_MS);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    }
  }

  private async start(): Promise<void> {
    const { deadLetterTopic, output, partitions } = this.options;
    const created = [...Object.values(this.topics)];
    if (deadLetterTopic !== undefined) created.push(deadLetterTopic);
    if (output !== undefined) created.push(...Object.values(outputTopicNames(output)));
    await this.client.ensureTopics(created, partitions);
    if (this.closing === undefined) await this.consumer.start();
  }
}
