// Shared pieces of the Kafka tests: fresh topic names, sending events, a ground truth computed
// without the engine, and waiting for the pipeline.
import { randomUUID } from "node:crypto";
import { afterAll, expect } from "vitest";
import { KafkaClient, type FetchedRecord, type Logger } from "../../src/kafka/client.js";
import { allocateBatch } from "../../src/ingest/batch.js";
import { decodeEvent, encodeEvent, encodeLong, type ValueFormat } from "../../src/kafka/codecs.js";
import type { InputTopics } from "../../src/kafka/event-consumer.js";
import { startKafkaPipeline, type KafkaPipeline, type KafkaPipelineOptions } from "../../src/kafka/pipeline.js";
import { ProfileStore } from "../../src/profile-store.js";
import { FIELDS, type Field, type ListeningEvent } from "../../src/types.js";
import { kafkaBrokers } from "./broker.js";

export function newClient(): KafkaClient {
  return new KafkaClient({ brokers: kafkaBrokers(), logLevel: "nothing" });
}

/** A client and a pipeline starter for the calling suite, both closed after its tests. */
export function kafkaSuite() {
  const client = newClient();
  const started = pipelines();
  afterAll(async () => {
    await started.closeAll();
    await client.close();
  });
  return { client, started };
}

/** Starts pipelines into fresh stores (timestamps "auto"), quiet unless given a logger; closeAll after the tests. */
function pipelines() {
  const open: KafkaPipeline[] = [];
  return {
    async consume(options: Omit<KafkaPipelineOptions, "brokers">) {
      const store = await ProfileStore.create({ timestampUnit: "auto" });
      const pipeline = startKafkaPipeline(store, { brokers: kafkaBrokers(), kafkaLogLevel: "nothing", logger: quiet, ...options });
      open.push(pipeline);
      return { store, pipeline };
    },
    closeAll: () => Promise.all(open.map((pipeline) => pipeline.close())),
  };
}

const quiet: Logger = { error: () => undefined, warn: () => undefined, info: () => undefined };

/** Topic names no other test (or earlier run against the same broker) uses. */
export function freshTopics(): InputTopics {
  const suffix = randomUUID().slice(0, 8);
  return { events: `events-${suffix}`, artists: `artists-${suffix}`, albums: `albums-${suffix}`, tracks: `tracks-${suffix}` };
}

export async function sendEvents(client: KafkaClient, topic: string, events: ListeningEvent[], format: ValueFormat): Promise<void> {
  await sendRecords(
    client,
    topic,
    events.map((e) => encodeEvent(e.userId, e.artistId, e.albumId, e.trackId, e.timestamp, format)),
    events.map((e) => e.userId),
  );
}

/** Sends values with 8-byte long keys (`keys[i]`, default 0). */
export async function sendRecords(client: KafkaClient, topic: string, values: Buffer[], keys: number[] = []): Promise<void> {
  const producer = client.createProducer();
  try {
    await producer.send(topic, values.map((value, i) => ({ key: encodeLong(keys[i] ?? 0), value })));
  } finally {
    await producer.close();
  }
}

/** Play counts and profiles counted with plain maps, to check the store against. */
export class GroundTruth {
  readonly plays = new Map<string, number>();
  readonly profiles = new Map<number, { totalListenCount: number; firstListenEvent: number; lastListenEvent: number }>();

  constructor(events: Iterable<ListeningEvent>) {
    for (const event of events) this.add(event);
  }

  add(event: ListeningEvent): void {
    for (const field of FIELDS) {
      const key = playKey(event.userId, field, itemOf(event, field));
      this.plays.set(key, (this.plays.get(key) ?? 0) + 1);
    }
    const profile = this.profiles.get(event.userId);
    if (profile === undefined) {
      this.profiles.set(event.userId, { totalListenCount: 1, firstListenEvent: event.timestamp, lastListenEvent: event.timestamp });
      return;
    }
    profile.totalListenCount++;
    profile.firstListenEvent = Math.min(profile.firstListenEvent, event.timestamp);
    profile.lastListenEvent = Math.max(profile.lastListenEvent, event.timestamp);
  }

  /** Every play count and profile of the store equals the truth. */
  expectMatches(store: ProfileStore): void {
    for (const [key, count] of this.plays) {
      const [userId, field, itemId] = key.split(":");
      expect(store.playCount(Number(userId), field as Field, Number(itemId)), key).toBe(count);
    }
    for (const [userId, profile] of this.profiles) expect(store.profile(userId)).toEqual({ userId, ...profile });
    expect(store.stats().users).toBe(this.profiles.size);
  }
}

function playKey(userId: number, field: Field, itemId: number): string {
  return `${userId}:${field}:${itemId}`;
}

function itemOf(event: ListeningEvent, field: Field): number {
  return field === "ARTIST" ? event.artistId : field === "ALBUM" ? event.albumId : event.trackId;
}

export async function waitFor(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Reads `count` records of a topic from the beginning, with a group of its own. */
export async function readTopic(client: KafkaClient, topic: string, count: number): Promise<FetchedRecord[]> {
  const records: FetchedRecord[] = [];
  const consumer = await client.startConsumer({
    groupId: `reader-${randomUUID()}`,
    topics: [topic],
    onBatch: async (batch) => void records.push(...batch.records),
    onFetch: () => undefined,
    onJoin: () => undefined,
    onCrash: () => undefined, // kafkajs restarts by itself, and waitFor below has a deadline
  });
  try {
    await waitFor(() => records.length >= count, `${count} records in ${topic}`);
  } finally {
    await consumer.stop();
  }
  return records;
}

/** Every listening event the topic holds, decoded: the truth even when a producer retry wrote some twice. */
export async function readEvents(client: KafkaClient, topic: string): Promise<ListeningEvent[]> {
  const count = (await client.partitionRanges(topic)).reduce((sum, range) => sum + range.end - range.start, 0);
  const columns = allocateBatch(count);
  const records = await readTopic(client, topic, count);
  records.forEach((record, row) => expect(decodeEvent(record.value, "auto", "ms", columns, row)).toBeUndefined());
  return Array.from({ length: count }, (_, row) => ({
    userId: columns.userId[row],
    artistId: columns.artistId[row],
    albumId: columns.albumId[row],
    trackId: columns.trackId[row],
    timestamp: columns.timestamp[row],
  }));
}

/** A logger that keeps what it was told, for tests that check the log is not flooded. */
export function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const keep = (message: string) => void lines.push(message);
  return { lines, error: keep, warn: keep, info: keep };
}
