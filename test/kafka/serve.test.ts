// `profile-store serve --kafka` as a user runs it: catch-up from the topics, live events, /readyz,
// the Kafka gauges of /metrics, and exit 0 on SIGTERM, also while the broker cannot be reached.
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { encodeItem } from "../../src/kafka/codecs.js";
import type { ListeningEvent } from "../../src/types.js";
import { getJson } from "../helpers/http-server.js";
import { startServeCli } from "../helpers/serve-process.js";
import { randomEvents } from "../helpers/random-events.js";
import { describeKafka, kafkaBrokers } from "./broker.js";
import { freshTopics, GroundTruth, newClient, sendEvents, sendRecords } from "./helpers.js";

async function scrape(url: string): Promise<string> {
  return (await fetch(`${url}/metrics`)).text();
}

/** The value of one series (name with labels) in Prometheus text; NaN when absent. */
function sample(metrics: string, series: string): number {
  const line = metrics.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? NaN : Number(line.slice(series.length + 1));
}

async function poll<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describeKafka("serve --kafka", () => {
  const client = newClient();
  afterAll(() => client.close());

  it("serves what the topics hold once caught up, applies live events, reports the pipeline in /metrics and exits 0 on SIGTERM", async () => {
    const topics = freshTopics();
    const deadLetter = `${topics.events}-dead`;
    await client.ensureTopics(Object.values(topics), 2);
    // Two listeners of their own (timestamps in seconds, as JSON), so the recommendation is known.
    const pair: ListeningEvent[] = [
      { userId: 1, artistId: 10, albumId: 100, trackId: 1000, timestamp: 1_400_000_000 },
      { userId: 1, artistId: 20, albumId: 200, trackId: 2000, timestamp: 1_400_000_400 },
      { userId: 2, artistId: 10, albumId: 100, trackId: 1000, timestamp: 1_400_000_100 },
      { userId: 2, artistId: 30, albumId: 300, trackId: 3000, timestamp: 1_400_000_300 },
    ];
    const history = randomEvents(2000, 31);
    await sendEvents(client, topics.events, pair, "json");
    await sendEvents(client, topics.events, history, "avro");
    await sendRecords(client, topics.events, [Buffer.from("{not json")]);
    await sendRecords(client, topics.artists, [encodeItem(10, "Radiohead", "json"), encodeItem(30, "Massive Attack", "avro")], [10, 30]);
    const records = pair.length + history.length + 1 + 2;

    const service = await startServeCli([
      ...["--kafka", kafkaBrokers().join(","), "--kafka-dead-letter", deadLetter, "--kafka-output"],
      ...["--kafka-events-topic", topics.events, "--kafka-artists-topic", topics.artists],
      ...["--kafka-albums-topic", topics.albums, "--kafka-tracks-topic", topics.tracks],
    ], "Server listening");
    await service.logged("ready:");
    expect(await getJson(`${service.url}/readyz`)).toEqual({ status: 200, body: { status: "ready" } });
    expect((await getJson(`${service.url}/profiles/1`)).body).toMatchObject({
      totalListenCount: 2,
      firstListenEvent: 1_400_000_000_000,
      lastListenEvent: 1_400_000_400_000,
      artistCharts: { topK: [{ id: 10, countPlays: 1, name: "Radiohead" }, { id: 20, countPlays: 1 }] },
    });
    expect((await getJson(`${service.url}/recommendation/1/artist?seed=1`)).body).toEqual({
      recommendations: [{ id: 30, score: expect.any(Number), name: "Massive Attack" }],
    });
    for (const [userId, profile] of new GroundTruth(history).profiles) {
      expect((await getJson(`${service.url}/profiles/${userId}`)).body).toMatchObject(profile);
    }

    const live = Array.from({ length: 50 }, (_, i) => ({ ...pair[3], timestamp: Date.now() + i }));
    await sendEvents(client, topics.events, live, "avro");
    await poll(() => getJson(`${service.url}/profiles/2`), ({ body }) => body.totalListenCount === 52, "the live events");

    const users = 2 + new GroundTruth(history).profiles.size;
    const published = (text: string) =>
      sample(text, "profile_store_kafka_output_published_users") >= users && sample(text, "profile_store_kafka_output_pending_users") === 0;
    const metrics = await poll(() => scrape(service.url), published, "every user published");
    const events = pair.length + history.length + live.length;
    expect(sample(metrics, "profile_store_kafka_ready")).toBe(1);
    expect(sample(metrics, "profile_store_kafka_connected")).toBe(1);
    expect(sample(metrics, "profile_store_kafka_worker_running")).toBe(1);
    expect(sample(metrics, "profile_store_kafka_worker_restarts")).toBe(0);
    expect(sample(metrics, "profile_store_kafka_lag_records")).toBe(0);
    expect(sample(metrics, "profile_store_kafka_catchup_done")).toBe(records);
    expect(sample(metrics, "profile_store_kafka_catchup_total")).toBe(records);
    expect(sample(metrics, "profile_store_kafka_events_applied")).toBe(events);
    expect(sample(metrics, 'profile_store_events_ingested_total{source="kafka"}')).toBe(events);
    expect(sample(metrics, 'profile_store_kafka_bad_records{reason="undecodable"}')).toBe(1);
    expect(sample(metrics, 'profile_store_kafka_bad_records{reason="invalid-id"}')).toBe(0);
    expect(sample(metrics, "profile_store_kafka_dead_lettered")).toBe(1);
    expect(sample(metrics, "profile_store_kafka_dead_letter_failures")).toBe(0);
    const p50 = sample(metrics, 'profile_store_kafka_freshness_ms{quantile="0.5"}');
    const p99 = sample(metrics, 'profile_store_kafka_freshness_ms{quantile="0.99"}');
    expect(0 < p50 && p50 <= p99 && p99 < 10_000).toBe(true);
    const max = sample(metrics, "profile_store_kafka_freshness_max_ms");
    expect(0 < max && max < 10_000).toBe(true);

    service.child.kill("SIGTERM");
    expect(await service.exited).toBe(0);
  });
});

describeKafka("serve --kafka killed mid-stream", () => {
  const client = newClient();
  afterAll(() => client.close());

  it("replays after a SIGKILL and a restart, and then holds every event exactly once", async () => {
    const topics = freshTopics();
    await client.ensureTopics(Object.values(topics), 2);
    const events = randomEvents(30_000, 57);
    const chunks = Array.from({ length: 10 }, (_, i) => events.slice(i * 3000, (i + 1) * 3000));
    await sendEvents(client, topics.events, chunks[0]!, "avro");
    const args = ["--kafka", kafkaBrokers().join(","), "--kafka-events-topic", topics.events];
    const first = await startServeCli([...args, "--kafka-artists-topic", topics.artists], "Server listening");
    await first.logged("ready:");
    // Keep producing while the service applies, and kill it without warning halfway.
    for (const [i, chunk] of chunks.slice(1).entries()) {
      await sendEvents(client, topics.events, chunk, "avro");
      if (i === 4) first.child.kill("SIGKILL");
    }
    expect(await first.exited).toBe(null);

    const second = await startServeCli([...args, "--kafka-artists-topic", topics.artists], "Server listening");
    await second.logged("ready:");
    const truth = new GroundTruth(events);
    for (const [userId, profile] of truth.profiles) {
      expect((await getJson(`${second.url}/profiles/${userId}`)).body).toMatchObject(profile);
    }
    const metrics = await scrape(second.url);
    expect(sample(metrics, "profile_store_kafka_events_applied")).toBe(events.length);
    second.child.kill("SIGTERM");
    expect(await second.exited).toBe(0);
  });
});

describeKafka("serve --kafka with its consumer worker dead", () => {
  const client = newClient();
  afterAll(() => client.close());

  it("reports not ready and the worker's restarts, and exits 0 within 5 s of SIGTERM", async () => {
    const topics = freshTopics();
    await client.ensureTopics(Object.values(topics), 1);
    await sendEvents(client, topics.events, randomEvents(100, 58), "avro");
    // The preload terminates each consumer worker as soon as it consumes (no CLI or service code is
    // told): it stays dead or restarting, and the records are never applied.
    const preload = fileURLToPath(new URL("./terminate-consumer-workers.mjs", import.meta.url));
    const nodeOptions = process.env.NODE_OPTIONS;
    process.env.NODE_OPTIONS = `${nodeOptions ?? ""} --import ${pathToFileURL(preload).href}`;
    const starting = startServeCli(["--kafka", kafkaBrokers().join(","), "--kafka-events-topic", topics.events], "Server listening");
    if (nodeOptions === undefined) delete process.env.NODE_OPTIONS;
    else process.env.NODE_OPTIONS = nodeOptions;
    const service = await starting;

    const metrics = await poll(() => scrape(service.url), (text) => sample(text, "profile_store_kafka_worker_restarts") >= 2, "two worker restarts");
    expect(sample(metrics, "profile_store_kafka_ready")).toBe(0);
    expect(sample(metrics, "profile_store_kafka_catchup_done")).toBe(0);
    expect((await getJson(`${service.url}/readyz`)).status).toBe(503);
    await service.logged("consumer worker exited");

    const signalled = Date.now();
    service.child.kill("SIGTERM");
    const exited = await Promise.race([service.exited, new Promise((resolve) => setTimeout(() => resolve("still running after 5 s"), 5000))]);
    expect(exited).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(5000);
  });
});

describe("serve --kafka without a broker", () => {
  it("answers /readyz 503 and reports not connected while the broker cannot be reached, and exits 0 on SIGTERM", async () => {
    const service = await startServeCli(["--kafka", "127.0.0.1:1"], "Server listening");
    expect(await getJson(`${service.url}/readyz`)).toEqual({ status: 503, body: { error: "not_ready", message: "data is still loading" } });
    const metrics = await scrape(service.url);
    expect(sample(metrics, "profile_store_kafka_ready")).toBe(0);
    expect(sample(metrics, "profile_store_kafka_connected")).toBe(0);
    expect(sample(metrics, "profile_store_kafka_catchup_total")).toBe(0);
    expect(metrics).not.toContain("profile_store_kafka_output_published_users");
    service.child.kill("SIGTERM");
    expect(await service.exited).toBe(0);
  });
});
