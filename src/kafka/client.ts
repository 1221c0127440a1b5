// The only module that imports kafkajs. kafkajs is in maintenance mode, so everything else sees the
// small interfaces below and a different client would replace this file alone.
import { Kafka, Partitioners, logLevel, type Admin, type Consumer, type LogEntry, type Producer } from "kafkajs";

export interface Logger {
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
}

export type KafkaLogLevel = "nothing" | "error" | "warn" | "info" | "debug";

export interface KafkaClientOptions {
  /** host:port of the bootstrap brokers. */
  brokers: string[];
  clientId?: string;
  /** What kafkajs itself may log (default "warn"); connection errors while a broker is down are "error". */
  logLevel?: KafkaLogLevel;
  logger?: Logger;
}

/** One partition's share of a fetch, in offset order. */
export interface FetchedBatch {
  topic: string;
  partition: number;
  /** Offset after the last record in the partition, as the broker reported with this fetch. */
  highWatermark: number;
  /** Offset after this batch, counting records the client filtered out (transaction markers). */
  nextOffset: number;
  records: FetchedRecord[];
}

export interface FetchedRecord {
  key: Buffer | null;
  value: Buffer | null;
  /** Decimal strings, as kafkajs keeps 64-bit numbers. */
  offset: string;
  timestamp: string;
  headers?: Record<string, Buffer | string | Array<Buffer | string> | undefined>;
}

export interface OutgoingRecord {
  key: Buffer;
  value: Buffer;
  headers?: Record<string, string>;
}

export interface PartitionRange {
  partition: number;
  /** Offset of the oldest retained record. */
  start: number;
  /** Offset after the newest record. */
  end: number;
}

export interface ConsumerOptions {
  groupId: string;
  topics: string[];
  /** Applies one batch; a rejection makes kafkajs fetch the batch again. */
  onBatch: (batch: FetchedBatch) => Promise<void>;
  /** A fetch answered (possibly empty): the broker is reachable. */
  onFetch: () => void;
  /** The group was (re)joined; return where each partition should continue, if known. */
  onJoin: (topic: string, partition: number) => number | undefined;
  /** The consumer failed; it starts again by itself after a pause. */
  onCrash: (error: Error) => void;
}

export interface RunningConsumer {
  stop(): Promise<void>;
}

const LOG_LEVELS: Record<KafkaLogLevel, logLevel> = {
  nothing: logLevel.NOTHING,
  error: logLevel.ERROR,
  warn: logLevel.WARN,
  info: logLevel.INFO,
  debug: logLevel.DEBUG,
};

/** kafkajs's producer groups messages by partition in quadratic time: send at most this many per request. */
const RECORDS_PER_SEND = 500;
/**
 * And at most about this many bytes per request: the broker refuses a record batch over its
 * `message.max.bytes` (1 MiB by default) as non-retriable. A record larger than this goes alone.
 */
const BYTES_PER_SEND = 512 << 10;
/** What Kafka's record format adds to a record's key, value and headers, at most (lengths, varints, attributes). */
const RECORD_OVERHEAD_BYTES = 32;

/**
 * Fetch sizes large enough for throughput (4 MiB per partition caught up about 15% faster than 1 MiB),
 * small enough that one fetch holds the consumer's thread (a worker, see consumer-worker.ts) for under
 * about a second while catching up.
 * Short session and rebalance timeouts: after a broker restart the group still lists the
 * member that was lost with the connection, and a rejoin waits for it to expire.
 */
const CONSUMER = {
  maxBytesPerPartition: 4 << 20,
  maxBytes: 8 << 20,
  maxWaitTimeInMs: 500,
  sessionTimeout: 10_000,
  rebalanceTimeout: 10_000,
  heartbeatInterval: 2000,
};

/** Retries back off to at most 5 s, so a restarted broker is found again within seconds. */
const RETRY = { initialRetryTime: 300, maxRetryTime: 5000, retries: 8 };
/** Admin calls are retried briefly: callers that must not give up (the pipeline's start) retry themselves. */
const ADMIN_RETRY = { initialRetryTime: 300, maxRetryTime: 1000, retries: 3 };
/** Pause before replacing a consumer that kafkajs gave up on. */
const RESTART_DELAY_MS = 5000;

export class KafkaClient {
  private readonly kafka: Kafka;
  private admin?: Promise<Admin>;

  constructor(options: KafkaClientOptions) {
    const logger = options.logger ?? consoleLogger("kafka");
    this.kafka = new Kafka({
      brokers: options.brokers,
      clientId: options.clientId ?? "profile-store",
      logLevel: LOG_LEVELS[options.logLevel ?? "warn"],
      logCreator: () => (entry) => forward(logger, entry),
      retry: ADMIN_RETRY, // the consumer and the producer bring their own
    });
  }

  /** Creates the topics that do not exist yet. */
  async ensureTopics(topics: string[], partitions = 1): Promise<void> {
    const admin = await this.connectedAdmin();
    const existing = new Set(await admin.listTopics());
    const missing = [...new Set(topics)].filter((topic) => !existing.has(topic));
    if (missing.length === 0) return;
    await admin.createTopics({ topics: missing.map((topic) => ({ topic, numPartitions: partitions })), waitForLeaders: true });
  }

  async deleteTopics(topics: string[]): Promise<void> {
    const admin = await this.connectedAdmin();
    await admin.deleteTopics({ topics });
  }

  async partitionRanges(topic: string): Promise<PartitionRange[]> {
    const admin = await this.connectedAdmin();
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.map((o) => ({ partition: o.partition, start: Number(o.low), end: Number(o.high) }));
  }

  /** A producer that connects on its first send. */
  createProducer(): RecordProducer {
    // The default partitioner is Java's (murmur2 of the key), so keys land where Java producers put them.
    // At least once: kafkajs's idempotent mode fails with concurrent sends ("out of order sequence
    // number"), so a send retried across a broker restart may write records twice.
    const producer = this.kafka.producer({
      allowAutoTopicCreation: false,
      retry: RETRY,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    return new RecordProducer(producer);
  }

  /** Starts consuming; whenever kafkajs gives up on the consumer, a new one takes over, until stopped. */
  async startConsumer(options: ConsumerOptions): Promise<RunningConsumer> {
    let stopped = false;
    let restart: NodeJS.Timeout | undefined;
    let current: Consumer;
    const start = async (): Promise<void> => {
      current = this.kafka.consumer({ groupId: options.groupId, allowAutoTopicCreation: false, retry: RETRY, ...CONSUMER });
      watch(current, options, restartLater);
      try {
        await run(current, options);
      } catch (error) {
        await current.disconnect().catch(() => undefined);
        throw error;
      }
    };
    const restartNow = async (): Promise<void> => {
      await current.disconnect().catch(() => undefined);
      if (stopped) return;
      await start().catch((error: Error) => {
        options.onCrash(error);
        restartLater();
      });
    };
    function restartLater(): void {
      if (!stopped) restart = setTimeout(() => void restartNow(), RESTART_DELAY_MS);
    }
    await start();
    return {
      stop: async () => {
        stopped = true;
        clearTimeout(restart);
        await current.disconnect();
      },
    };
  }

  async close(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    if (admin) await (await admin).disconnect();
  }

  private connectedAdmin(): Promise<Admin> {
    if (!this.admin) {
      const admin = this.kafka.admin();
      this.admin = admin.connect().then(() => admin);
      this.admin.catch(() => (this.admin = undefined));
    }
    return this.admin;
  }
}

async function run(consumer: Consumer, options: ConsumerOptions): Promise<void> {
  await consumer.connect();
  await consumer.subscribe({ topics: options.topics, fromBeginning: true });
  await consumer.run({
    // No commits: the state lives in memory, so a new process replays from the beginning anyway,
    // and a rejoin inside this process seeks to where the state is (onJoin).
    autoCommit: false,
    eachBatch: ({ batch }) =>
      options.onBatch({
        topic: batch.topic,
        partition: batch.partition,
        highWatermark: Number(batch.highWatermark),
        nextOffset: Number(batch.lastOffset()) + 1,
        records: batch.messages,
      }),
  });
}

/** Wires kafkajs's events to the options; `onGaveUp` hears of crashes that kafkajs will not restart from. */
function watch(consumer: Consumer, options: ConsumerOptions, onGaveUp: () => void): void {
  const { FETCH: fetched, GROUP_JOIN, CRASH } = consumer.events;
  consumer.on(fetched, () => options.onFetch());
  consumer.on(GROUP_JOIN, ({ payload }) => {
    for (const [topic, partitions] of Object.entries(payload.memberAssignment)) {
      for (const partition of partitions) {
        const offset = options.onJoin(topic, partition);
        if (offset !== undefined) consumer.seek({ topic, partition, offset: String(offset) });
      }
    }
  });
  consumer.on(CRASH, ({ payload }) => {
    options.onCrash(payload.error);
    if (!payload.restart) onGaveUp();
  });
}

export class RecordProducer {
  private connection?: Promise<void>;

  constructor(private readonly producer: Producer) {}

  /** Sends every record, in bounded requests; rejects if any request fails. */
  async send(topic: string, records: OutgoingRecord[]): Promise<void> {
    const { error } = await this.trySend(topic, records);
    if (error) throw error;
  }

  /**
   * Sends in bounded requests (each retried by kafkajs), a failed one not stopping the others; never
   * rejects: resolves to how many records were not sent, and the first error.
   */
  async trySend(topic: string, records: OutgoingRecord[]): Promise<{ failed: number; error?: Error }> {
    if (records.length === 0) return { failed: 0 };
    try {
      await this.connect();
    } catch (error) {
      return { failed: records.length, error: error as Error };
    }
    const requests = sendRequests(records);
    const results = await Promise.allSettled(requests.map((messages) => this.producer.send({ topic, messages, acks: -1 })));
    let failed = 0;
    let error: Error | undefined;
    results.forEach((result, i) => {
      if (result.status === "fulfilled") return;
      failed += requests[i].length;
      error ??= result.reason as Error;
    });
    return { failed, error };
  }

  async close(): Promise<void> {
    if (this.connection) await this.producer.disconnect();
    this.connection = undefined;
  }

  private connect(): Promise<void> {
    this.connection ??= this.producer.connect().catch((error: unknown) => {
      this.connection = undefined;
      throw error;
    });
    return this.connection;
  }
}

/** Splits records into requests of at most RECORDS_PER_SEND records and BYTES_PER_SEND bytes (a larger record alone). */
function sendRequests(records: OutgoingRecord[]): OutgoingRecord[][] {
  const requests: OutgoingRecord[][] = [];
  let request: OutgoingRecord[] = [];
  let bytes = 0;
  for (const record of records) {
    const size = recordBytes(record);
    if (request.length === RECORDS_PER_SEND || (request.length > 0 && bytes + size > BYTES_PER_SEND)) {
      requests.push(request);
      request = [];
      bytes = 0;
    }
    request.push(record);
    bytes += size;
  }
  if (request.length > 0) requests.push(request);
  return requests;
}

/** A record's size in a record batch, from above. */
function recordBytes({ key, value, headers }: OutgoingRecord): number {
  let bytes = RECORD_OVERHEAD_BYTES + key.length + value.length;
  for (const name in headers) bytes += RECORD_OVERHEAD_BYTES + Buffer.byteLength(name) + Buffer.byteLength(headers[name]);
  return bytes;
}

function forward(logger: Logger, { level, log }: LogEntry): void {
  const text = `kafkajs: ${log.message}${log.error ? `: ${String(log.error)}` : ""}`;
  if (level === logLevel.ERROR) logger.error(text);
  else if (level === logLevel.WARN) logger.warn(text);
  else logger.info(text);
}

export function consoleLogger(prefix: string): Logger {
  return {
    error: (message) => console.error(`[${prefix}] ${message}`),
    warn: (message) => console.warn(`[${prefix}] ${message}`),
    info: (message) => console.info(`[${prefix}] ${message}`),
  };
}
