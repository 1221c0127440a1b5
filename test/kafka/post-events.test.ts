// POST /events of a service that consumes Kafka: the events are produced to the events topic and
// reach this replica and every other one through their consumers, once each; never applied locally
// only. Without a broker's acknowledgement the answer is 503.
import { afterAll, describe, expect, it } from "vitest";
import { startService, type Service } from "../../src/service/service.js";
import type { KafkaSource } from "../../src/service/settings.js";
import type { TimestampUnit } from "../../src/types.js";
import { getJson } from "../helpers/http-server.js";
import { describeKafka, kafkaBrokers } from "./broker.js";
import { freshTopics, newClient, readEvents, waitFor } from "./helpers.js";

const open: Service[] = [];
afterAll(() => Promise.all(open.map((service) => service.close())));

/** A service consuming `source` (it is not ready until caught up, so this does not wait for that). */
async function kafkaService(source: Omit<KafkaSource, "kind">, timestampUnit: TimestampUnit = "auto"): Promise<Service> {
  const service = await startService({ source: { kind: "kafka", ...source }, port: 0, drainSeconds: 0, logLevel: "silent", timestampUnit, walkerThreads: 0 });
  open.push(service);
  return service;
}

async function post(service: Service, body: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${service.url}/events`, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } });
  return { status: response.status, body: await response.json() };
}

async function profile(service: Service, userId: number): Promise<any> {
  return (await getJson(`${service.url}/profiles/${userId}`)).body;
}

async function scrape(service: Service, series: string): Promise<number> {
  const line = (await (await fetch(`${service.url}/metrics`)).text()).split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

describeKafka("POST /events with --kafka", () => {
  const client = newClient();
  afterAll(() => client.close());

  it.each(["avro", "json"] as const)("produces the valid events (%s) to the topic, and every replica applies them once through its consumer", async (format) => {
    const topics = freshTopics();
    await client.ensureTopics(Object.values(topics), 2);
    // JSON is read in the store's unit: seconds here, so that the producing side must write them so.
    const unit = format === "json" ? "s" : "auto";
    const source = { brokers: kafkaBrokers(), format, topics };
    const [first, second] = [await kafkaService(source, unit), await kafkaService(source, unit)];
    await Promise.all([first.ready, second.ready]);

    const seconds = 1_400_000_000;
    const events = [
      { userId: 7, artistId: 10, albumId: 100, trackId: 1000, timestamp: seconds },
      { userId: 7, artistId: -1, albumId: 100, trackId: 1000, timestamp: seconds },
      { userId: 8, artistId: 20, albumId: 200, trackId: 2000, timestamp: seconds + 60 },
    ];
    const answer = await post(first, events);
    expect(answer).toMatchObject({ status: 200, body: { accepted: 2, rejected: 1, rejections: [{ index: 1, field: "artistId" }] } });
    // Acknowledged: the topic holds exactly the accepted events (read back as ms: Avro's are, JSON's are in seconds as the consumers read them).
    const written = await readEvents(client, topics.events);
    const onTopic = (time: number) => (format === "json" ? time : time * 1000);
    expect(written.sort((a, b) => a.userId - b.userId)).toEqual([
      { userId: 7, artistId: 10, albumId: 100, trackId: 1000, timestamp: onTopic(seconds) },
      { userId: 8, artistId: 20, albumId: 200, trackId: 2000, timestamp: onTopic(seconds + 60) },
    ]);
    for (const service of [first, second]) {
      // The two users may sit on different partitions: wait for both.
      await waitFor(() => service.store.profile(7) !== undefined && service.store.profile(8) !== undefined, "the posted events in each replica");
      expect(await profile(service, 7)).toMatchObject({ totalListenCount: 1, firstListenEvent: seconds * 1000, lastListenEvent: seconds * 1000 });
      expect(await profile(service, 8)).toMatchObject({ totalListenCount: 1, firstListenEvent: (seconds + 60) * 1000 });
      expect(await scrape(service, 'profile_store_events_ingested_total{source="kafka"}')).toBe(2);
      expect(await scrape(service, 'profile_store_events_ingested_total{source="http"}')).toBe(0);
    }
    expect(await scrape(first, 'profile_store_events_rejected_total{source="http",reason="artistId"}')).toBe(1);
    // Nothing more arrives later: each event was applied once.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(first.store.stats().events.accepted).toBe(2);
    expect(second.store.stats().events.accepted).toBe(2);
  });

  it("produces nothing for a body of rejected events", async () => {
    const topics = freshTopics();
    await client.ensureTopics(Object.values(topics), 1);
    const service = await kafkaService({ brokers: kafkaBrokers(), format: "auto", topics });
    await service.ready;
    expect(await post(service, [{ userId: "x" }])).toMatchObject({ status: 200, body: { accepted: 0, rejected: 1 } });
    expect(await client.partitionRanges(topics.events)).toEqual([{ partition: 0, start: 0, end: 0 }]);
  });
});

describe("POST /events with --kafka and no broker", () => {
  it("answers 503 not_ready once the broker has not acknowledged within the timeout, and applies nothing", async () => {
    const service = await kafkaService({ brokers: ["127.0.0.1:1"], format: "auto", topics: freshTopics(), produceTimeoutMs: 300 });
    const started = performance.now();
    const answer = await post(service, [{ userId: 1, artistId: 2, albumId: 3, trackId: 4, timestamp: 1_400_000_000_000 }]);
    expect(answer).toEqual({
      status: 503,
      body: { error: "not_ready", message: expect.stringContaining("Kafka at 127.0.0.1:1 did not acknowledge the events within 0.3 s") },
    });
    expect(performance.now() - started).toBeLessThan(5000);
    expect(service.store.profile(1)).toBeUndefined();
  });
});
