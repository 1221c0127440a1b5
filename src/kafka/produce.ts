// `profile-store produce`: writes an LFM-1b directory or generated data into the input topics, as the
// seed's producer does: key = userId (8-byte long), optional delay between records, real-time
// timestamps, repetitions and a random dropout. Item names go to the name topics first.
import { Mulberry32 } from "../engine/random.js";
import { createGenerator, type GeneratorOptions } from "../ingest/generator.js";
import { findEventFiles, loadLfm1b } from "../ingest/lfm1b.js";
import type { EventColumns, Field } from "../types.js";
import type { KafkaClient, OutgoingRecord, RecordProducer } from "./client.js";
import { encodeEvent, encodeItem, encodeLong, type ValueFormat } from "./codecs.js";
import { inputTopicNames, type InputTopics } from "./event-consumer.js";

export type ProduceSource = { dir: string } | { generate: GeneratorOptions & { events: number } };

export interface ProduceOptions {
  source: ProduceSource;
  format: ValueFormat;
  topics?: Partial<InputTopics>;
  /** Partitions of the topics this creates when they are missing (default 1). */
  partitions?: number;
  /** Pause after each event, in ms (default 0: send in batches as fast as the broker takes them). */
  delayMs?: number;
  /** Replace each event's timestamp by the time it is sent. */
  realtime?: boolean;
  /** Send the data set this many times (default 1). */
  repeat?: number;
  /** Fraction of events to drop at random (default 0). */
  dropout?: number;
  /** Seed of the dropout draws (default 158, as the seed's producer). */
  seed?: number;
  schemaId?: number;
  /** Progress in `unit`s: events for generated data, bytes read for files. */
  onProgress?: (done: number, total: number, unit: "events" | "bytes") => void;
}

export interface ProduceSummary {
  events: number;
  dropped: number;
  names: number;
}

const FIELD_TOPIC: Record<Field, keyof InputTopics> = { ARTIST: "artists", ALBUM: "albums", TRACK: "tracks" };

export async function produce(client: KafkaClient, options: ProduceOptions): Promise<ProduceSummary> {
  const topics = inputTopicNames(options.topics);
  // A folder without LFM-1b events fails before any topic is made.
  if ("dir" in options.source) await findEventFiles(options.source.dir);
  await client.ensureTopics(Object.values(topics), options.partitions);
  const producer = client.createProducer();
  try {
    const sink = new TopicSink(producer, topics, options);
    const repeat = options.repeat ?? 1;
    for (let round = 0; round < repeat; round++) {
      sink.sendNames = round === 0;
      if ("dir" in options.source) await sendDirectory(options.source.dir, sink, round, repeat, options);
      else await sendGenerated(options.source.generate, sink, round, repeat, options);
    }
    await sink.flush();
    return sink.summary;
  } finally {
    await producer.close();
  }
}

async function sendDirectory(dir: string, sink: TopicSink, round: number, repeat: number, options: ProduceOptions): Promise<void> {
  await loadLfm1b(dir, sink, {
    onProgress: (progress) => options.onProgress?.(round * progress.totalBytes + progress.bytesRead, repeat * progress.totalBytes, "bytes"),
  });
}

async function sendGenerated(
  generate: GeneratorOptions & { events: number },
  sink: TopicSink,
  round: number,
  repeat: number,
  options: ProduceOptions,
): Promise<void> {
  // A new generator per round repeats the same events, as re-reading a file would.
  const generator = createGenerator({ ...generate, timestampResolution: "ms" });
  const { artists, albums, tracks } = generator.catalogue;
  await sink.setNames("ARTIST", artists);
  await sink.setNames("ALBUM", albums);
  await sink.setNames("TRACK", tracks);
  let done = round * generate.events;
  for (const batch of generator.eventBatches(generate.events, 16384)) {
    await sink.ingest(batch);
    done += batch.userId.length;
    options.onProgress?.(done, repeat * generate.events, "events");
  }
}

/** What the loader writes into: encodes events and names and sends them, one batch in flight at a time. */
class TopicSink {
  readonly summary: ProduceSummary = { events: 0, dropped: 0, names: 0 };
  sendNames = true;
  private readonly random: Mulberry32;
  private inFlight: Promise<void> = Promise.resolve();

  constructor(
    private readonly producer: RecordProducer,
    private readonly topics: InputTopics,
    private readonly options: ProduceOptions,
  ) {
    this.random = new Mulberry32(options.seed ?? 158);
  }

  async setNames(field: Field, names: Iterable<readonly [number, string, ...unknown[]]>): Promise<void> {
    if (!this.sendNames) return;
    const records: OutgoingRecord[] = [];
    for (const [id, name] of names) records.push({ key: encodeLong(id), value: encodeItem(id, name, this.options.format, this.options.schemaId) });
    await this.producer.send(this.topics[FIELD_TOPIC[field]], records);
    this.summary.names += records.length;
  }

  async ingest(batch: EventColumns): Promise<void> {
    const delayMs = this.options.delayMs ?? 0;
    if (delayMs > 0) return this.sendOneByOne(batch, delayMs);
    const records = this.encode(batch, 0, batch.userId.length);
    // Encode the next batch while this one is on the wire, but never hold more than two.
    await this.inFlight;
    this.inFlight = this.producer.send(this.topics.events, records);
    this.inFlight.catch(() => undefined); // reported where it is awaited, not as an unhandled rejection
  }

  async flush(): Promise<void> {
    await this.inFlight;
  }

  private async sendOneByOne(batch: EventColumns, delayMs: number): Promise<void> {
    for (let row = 0; row < batch.userId.length; row++) {
      const records = this.encode(batch, row, row + 1);
      if (records.length === 0) continue;
      await this.producer.send(this.topics.events, records);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }

  private encode(batch: EventColumns, from: number, to: number): OutgoingRecord[] {
    const { format, realtime, dropout = 0, schemaId } = this.options;
    const now = Date.now();
    const records: OutgoingRecord[] = [];
    for (let row = from; row < to; row++) {
      // One draw per event whether or not dropout is on, so the same seed drops the same events.
      if (this.random.next() / 2 ** 32 < dropout) {
        this.summary.dropped++;
        continue;
      }
      const userId = batch.userId[row];
      const timestamp = realtime ? now : batch.timestamp[row];
      const value = encodeEvent(userId, batch.artistId[row], batch.albumId[row], batch.trackId[row], timestamp, format, schemaId);
      records.push({ key: encodeLong(userId), value });
    }
    this.summary.events += records.length;
    return records;
  }
}
