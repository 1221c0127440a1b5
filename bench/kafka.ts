// End-to-end Kafka benchmark: N generated events produced to a broker, then consumed from the
// beginning into a fresh store (catch-up events/s), then a live phase at a steady rate measuring
// freshness: produce time to visible through store.profile. Prints markdown tables.
//   node dist/bench/kafka.js [--events N] [--partitions P] [--live-rate R] [--live-seconds S]
// Uses KAFKA_BROKERS, or starts (and afterwards stops) scripts/kafka/broker.sh with the full JIT.
import { execFileSync, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { Worker } from "node:worker_threads";
import { createGenerator } from "../src/ingest/generator.js";
import { allocateBatch } from "../src/ingest/batch.js";
import { KafkaClient } from "../src/kafka/client.js";
import { decodeEvent, encodeEvent } from "../src/kafka/codecs.js";
import { startKafkaPipeline } from "../src/kafka/pipeline.js";
import { produce } from "../src/kafka/produce.js";
import { ProfileStore } from "../src/profile-store.js";
import type { LiveProducerSettings } from "./kafka-live-producer.js";
import { listeningEventType } from "./seed-schemas.js";

const PROBE_USER = 2 ** 40;
const BROKER_SCRIPT = resolve("scripts/kafka/broker.sh");

const { values } = parseArgs({
  options: {
    events: { type: "string", default: "1000000" },
    partitions: { type: "string", default: "1" },
    "live-rate": { type: "string", default: "20000" },
    "live-seconds": { type: "string", default: "10" },
  },
});
const events = Number(values.events);
const partitions = Number(values.partitions);
const liveRate = Number(values["live-rate"]);
const liveSeconds = Number(values["live-seconds"]);

const format = (n: number) => Math.round(n).toLocaleString("en-US");

/** ns per event of decoding framed Avro (and JSON) values into columns, ours against avsc. */
function codecTable(): string {
  const count = 200_000;
  const batch = createGenerator({ seed: 3 }).eventBatches(count, count).next().value!;
  const avro: Buffer[] = [];
  const json: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const ids = [batch.userId[i], batch.artistId[i], batch.albumId[i], batch.trackId[i], batch.timestamp[i]] as const;
    avro.push(encodeEvent(...ids, "avro"));
    json.push(encodeEvent(...ids, "json"));
  }
  const out = allocateBatch(count);
  const decoders: Array<[string, () => void]> = [
    ["Avro, hand-written (src/kafka/codecs.ts)", () => avro.forEach((value, row) => decodeEvent(value, "auto", "auto", out, row))],
    [
      "Avro, avsc 5.7.9 Type.fromBuffer",
      () =>
        avro.forEach((value, row) => {
          const event = listeningEventType.fromBuffer(value.subarray(5));
          out.userId[row] = event.userId;
          out.artistId[row] = event.artistId;
          out.albumId[row] = event.albumId;
          out.trackId[row] = event.trackId;
          out.timestamp[row] = event.timestamp;
        }),
    ],
    ["JSON, JSON.parse (src/kafka/codecs.ts)", () => json.forEach((value, row) => decodeEvent(value, "auto", "auto", out, row))],
  ];
  const rows = decoders.map(([name, decode]) => {
    let best = Infinity;
    for (let round = 0; round < 5; round++) {
      const start = performance.now();
      decode();
      best = Math.min(best, performance.now() - start);
    }
    return `| ${name} | ${((best * 1e6) / count).toFixed(0)} | ${format((count / best) * 1000)} |`;
  });
  return ["| decoder | ns/event | events/s |", "|---|---:|---:|", ...rows].join("\n");
}

function brokerAddress(): { brokers: string[]; stopAfter: boolean } {
  if (process.env.KAFKA_BROKERS) return { brokers: process.env.KAFKA_BROKERS.split(","), stopAfter: false };
  const wasRunning = spawnSync(BROKER_SCRIPT, ["status"], { stdio: "ignore" }).status === 0;
  // The full JIT and a 1 GiB heap, not the small quick-starting test broker.
  const env = { KAFKA_JVM_OPTS: "-Xmx1g -Xms1g", ...process.env };
  const address = execFileSync(BROKER_SCRIPT, ["start"], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], env }).trim();
  return { brokers: [address], stopAfter: !wasRunning };
}

/** Runs the live producer in a worker; meanwhile polls the probe user's profile every millisecond. */
async function livePhase(brokers: string[], topic: string, store: ProfileStore): Promise<{ sent: number; probes: number[] }> {
  const probes: number[] = [];
  let seen = 0;
  const poll = setInterval(() => {
    const last = store.profile(PROBE_USER)?.lastListenEvent ?? 0;
    if (last > seen) probes.push(Date.now() - last);
    seen = Math.max(seen, last);
  }, 1);
  const settings: LiveProducerSettings = { brokers, topic, eventsPerSecond: liveRate, seconds: liveSeconds, probeUserId: PROBE_USER };
  const worker = new Worker(new URL("./kafka-live-producer.js", import.meta.url), { workerData: settings });
  const { sent } = await new Promise<{ sent: number }>((done, fail) => worker.once("message", done).once("error", fail));
  await new Promise((done) => setTimeout(done, 1000)); // the last probes arrive
  clearInterval(poll);
  return { sent, probes };
}

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
}

async function main(): Promise<void> {
  const flags = process.execArgv.join(" ") || "no flags";
  console.log(`Kafka benchmark: ${format(events)} events, ${partitions} partition(s), Avro (node ${process.version}, ${flags})\n`);
  console.log(codecTable() + "\n");

  const { brokers, stopAfter } = brokerAddress();
  const client = new KafkaClient({ brokers, logLevel: "error" });
  const run = randomUUID().slice(0, 8);
  const topics = { events: `bench-events-${run}`, artists: `bench-artists-${run}`, albums: `bench-albums-${run}`, tracks: `bench-tracks-${run}` };
  try {
    let started = performance.now();
    const produced = await produce(client, {
      source: { generate: { events, users: 10_000, artists: 5000 } },
      format: "avro",
      topics,
      partitions,
    });
    const produceSeconds = (performance.now() - started) / 1000;

    const store = await ProfileStore.create({ timestampUnit: "auto" });
    // How long a request would wait behind the consumer while it catches up.
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    started = performance.now();
    const pipeline = startKafkaPipeline(store, { brokers, topics, kafkaLogLevel: "error" });
    await pipeline.caughtUp;
    const catchUpSeconds = (performance.now() - started) / 1000;
    loopDelay.disable();

    const live = await livePhase(brokers, topics.events, store);
    const stats = pipeline.stats();
    await pipeline.close();

    console.log("| stage | events | seconds | events/s |");
    console.log("|---|---:|---:|---:|");
    console.log(`| produce (plus ${format(produced.names)} names) | ${format(produced.events)} | ${produceSeconds.toFixed(1)} | ${format(produced.events / produceSeconds)} |`);
    console.log(`| consume and apply from the beginning (catch-up) | ${format(events)} | ${catchUpSeconds.toFixed(1)} | ${format(events / catchUpSeconds)} |`);
    console.log(`| live, produced at ${format(liveRate)}/s | ${format(live.sent)} | ${liveSeconds} | ${format(live.sent / liveSeconds)} |`);
    console.log("\nGoal: catch-up >= 200,000 events/s.");
    const ms = (ns: number) => (ns / 1e6).toFixed(0);
    console.log(`\nEvent-loop delay during catch-up: p50 ${ms(loopDelay.percentile(50))} ms, p99 ${ms(loopDelay.percentile(99))} ms, max ${ms(loopDelay.max)} ms.`);
    const probes = live.probes.sort((a, b) => a - b);
    console.log("\n| freshness (produce to visible) | events | p50 ms | p99 ms |");
    console.log("|---|---:|---:|---:|");
    console.log(`| probe user, polled via store.profile | ${probes.length} | ${percentile(probes, 0.5)} | ${percentile(probes, 0.99)} |`);
    console.log(`| every live event, as the pipeline measures it | ${format(stats.freshness.count)} | ${stats.freshness.p50Ms} | ${stats.freshness.p99Ms} |`);
    await client.deleteTopics(Object.values(topics));
  } finally {
    await client.close();
    if (stopAfter) execFileSync(BROKER_SCRIPT, ["stop"], { stdio: "inherit" });
  }
}

await main();
