// Worker of bench/kafka.ts: sends generated events at a steady rate, stamped with the time they are
// sent, plus a probe event for one extra user every PROBE_EVERY_MS, so the main thread can see when
// each probe becomes visible. A thread of its own keeps the producer off the consumer's event loop.
import { parentPort, workerData } from "node:worker_threads";
import { createGenerator } from "../src/ingest/generator.js";
import { KafkaClient, type OutgoingRecord } from "../src/kafka/client.js";
import { encodeEvent, encodeLong } from "../src/kafka/codecs.js";

export interface LiveProducerSettings {
  brokers: string[];
  topic: string;
  eventsPerSecond: number;
  seconds: number;
  probeUserId: number;
}

const TICK_MS = 10;
const PROBE_EVERY_MS = 50;

const settings = workerData as LiveProducerSettings;
const client = new KafkaClient({ brokers: settings.brokers, logLevel: "error" });
const producer = client.createProducer();
const generator = createGenerator({ seed: 99, users: 10_000, artists: 5000 });
const perTick = Math.max(1, Math.round((settings.eventsPerSecond * TICK_MS) / 1000));
const start = Date.now();
let sent = 0;
let nextProbe = start;
for (let tick = 1; Date.now() - start < settings.seconds * 1000; tick++) {
  const now = Date.now();
  const records: OutgoingRecord[] = generator.nextEvents(perTick).map((e) => ({
    key: encodeLong(e.userId),
    value: encodeEvent(e.userId, e.artistId, e.albumId, e.trackId, now, "avro"),
  }));
  if (now >= nextProbe) {
    records.push({ key: encodeLong(settings.probeUserId), value: encodeEvent(settings.probeUserId, 1, 1, 1, now, "avro") });
    nextProbe += PROBE_EVERY_MS;
  }
  await producer.send(settings.topic, records);
  sent += records.length;
  const wait = start + tick * TICK_MS - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}
await producer.close();
parentPort!.postMessage({ sent, seconds: (Date.now() - start) / 1000 });
