// POST /events of a service that consumes Kafka: the events are validated as the SDK validates them,
// produced to the events topic, and answered once the broker has acknowledged them (acks -1). They are
// never applied here directly: they arrive through the consumer like every other event, so every
// replica sees them and a restart replays them.
import type { EventSink } from "../http/context.js";
import { ServiceError } from "../http/errors.js";
import type { ServiceMetrics } from "../http/metrics.js";
import { validateEvents, type IngestResult } from "../events.js";
import { KafkaClient, type Logger, type OutgoingRecord, type RecordProducer } from "../kafka/client.js";
import { encodeEvent, encodeLong, type ValueFormat } from "../kafka/codecs.js";
import type { ProfileStore } from "../profile-store.js";
import type { EventBatch, ListeningEvent, TimestampUnit } from "../types.js";
import { toEpochMillis } from "../validation.js";
import { SERVICE_DEFAULTS, type KafkaSource } from "./settings.js";

export class KafkaEventSink implements EventSink {
  private readonly client: KafkaClient;
  private readonly producer: RecordProducer;
  /** The pipeline reads Avro when its format is avro or auto. */
  private readonly format: ValueFormat;
  private readonly timeoutMs: number;
  private readonly brokers: string;

  constructor(
    private readonly source: KafkaSource,
    private readonly store: ProfileStore,
    private readonly metrics: ServiceMetrics,
    logger: Logger,
  ) {
    this.client = new KafkaClient({ brokers: source.brokers, logger, clientId: "profile-store-events" });
    this.producer = this.client.createProducer();
    this.format = source.format === "json" ? "json" : "avro";
    this.timeoutMs = source.produceTimeoutMs ?? SERVICE_DEFAULTS.produceTimeoutMs;
    this.brokers = source.brokers.join(",");
  }

  async write(body: unknown[]): Promise<IngestResult> {
    const unit = this.store.options.timestampUnit;
    // The SDK's validator checks each element, as for a local store.
    const { events, result } = validateEvents(body as ListeningEvent[], unit);
    // Rejections are counted here; accepted events once the consumer applies them.
    this.metrics.countIngest("http", { ...result, accepted: 0 });
    if (result.accepted > 0) await this.produce(this.records(events, unit));
    return result;
  }

  async close(): Promise<void> {
    await this.producer.close();
    await this.client.close();
  }

  /** Key = userId as an 8-byte long, value in the pipeline's input format, as the seed's producer writes them. */
  private records(events: EventBatch, unit: TimestampUnit): OutgoingRecord[] {
    const { userId, artistId, albumId, trackId, timestamp } = events;
    const records: OutgoingRecord[] = new Array(userId.length);
    for (let i = 0; i < userId.length; i++) {
      // JSON timestamps are read in the store's unit, Avro's are epoch ms.
      const time = this.format === "json" ? inUnit(timestamp[i]!, unit) : timestamp[i]!;
      records[i] = { key: encodeLong(userId[i]!), value: encodeEvent(userId[i]!, artistId[i]!, albumId[i]!, trackId[i]!, time, this.format) };
    }
    return records;
  }

  private async produce(records: OutgoingRecord[]): Promise<void> {
    const sent = this.producer.send(this.source.topics.events, records);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), this.timeoutMs)));
    try {
      const outcome = await Promise.race([sent, timedOut]);
      if (outcome === "timeout") {
        // The send goes on: it may still succeed (and the events arrive), or fail unheard.
        sent.catch(() => undefined);
        throw new ServiceError(
          "not_ready",
          `Kafka at ${this.brokers} did not acknowledge the events within ${this.timeoutMs / 1000} s; ` +
            "they may still be written, so a retry may apply them twice",
        );
      }
    } catch (error) {
      if (error instanceof ServiceError) throw error;
      throw new ServiceError("not_ready", `Kafka at ${this.brokers} did not take the events: ${(error as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** An epoch-ms timestamp as the consumer reads JSON in `unit` back: as it is where that reads as ms, else in seconds. */
function inUnit(millis: number, unit: TimestampUnit): number {
  return toEpochMillis(millis, unit) === millis ? millis : millis / 1000;
}
