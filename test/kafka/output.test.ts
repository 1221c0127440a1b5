// The output topics as their readers see the bytes: 8-byte big-endian longs for the metrics, Charts in
// the Confluent Avro framing for the charts.
import { randomUUID } from "node:crypto";
import { expect, it } from "vitest";
import { chartsType } from "../../bench/seed-schemas.js";
import type { FetchedRecord } from "../../src/kafka/client.js";
import { outputTopicNames } from "../../src/kafka/profile-producer.js";
import type { Field } from "../../src/types.js";
import { randomEvents } from "../helpers/random-events.js";
import { describeKafka } from "./broker.js";
import { freshTopics, GroundTruth, kafkaSuite, readTopic, sendEvents, waitFor } from "./helpers.js";

/** The last value per key, as a compacted topic (or Quick) would keep it. */
function latestByKey(records: FetchedRecord[]): Map<bigint, Buffer> {
  return new Map(records.map((record) => [record.key!.readBigInt64BE(), record.value!]));
}

describeKafka("Kafka output topics", () => {
  const { client, started } = kafkaSuite();

  it("publishes every user's metrics as longs and charts as framed Avro, coalesced per user", async () => {
    const topics = freshTopics();
    const suffix = randomUUID().slice(0, 8);
    const output = {
      format: "avro" as const,
      schemaId: 7,
      topics: Object.fromEntries(Object.entries(outputTopicNames({})).map(([name, topic]) => [name, `${topic}-${suffix}`])),
    };
    const events = randomEvents(2000, 21);
    const truth = new GroundTruth(events);
    await client.ensureTopics(Object.values(topics));
    await sendEvents(client, topics.events, events, "avro");
    const { store, pipeline } = await started.consume({ topics, output });
    await pipeline.caughtUp;
    const users = truth.profiles.size;
    await waitFor(() => pipeline.stats().output?.publishedUsers === users, "every user published");

    const names = outputTopicNames(output);
    const counts = latestByKey(await readTopic(client, names.counts, users));
    const first = latestByKey(await readTopic(client, names.firstListen, users));
    const last = latestByKey(await readTopic(client, names.lastListen, users));
    expect(counts.size).toBe(users);
    for (const [userId, profile] of truth.profiles) {
      const key = BigInt(userId);
      expect(counts.get(key)?.readBigInt64BE()).toBe(BigInt(profile.totalListenCount));
      expect(first.get(key)?.readBigInt64BE()).toBe(BigInt(profile.firstListenEvent));
      expect(last.get(key)?.readBigInt64BE()).toBe(BigInt(profile.lastListenEvent));
    }
    const chartTopics: Array<[Field, string]> = [["ARTIST", names.topArtists], ["ALBUM", names.topAlbums], ["TRACK", names.topTracks]];
    for (const [field, topic] of chartTopics) {
      const charts = latestByKey(await readTopic(client, topic, users));
      for (const userId of truth.profiles.keys()) {
        const value = charts.get(BigInt(userId))!;
        expect([value[0], value.readUInt32BE(1)]).toEqual([0, 7]);
        expect(chartsType.fromBuffer(value.subarray(5))).toEqual(store.charts(userId, field));
      }
    }

    // 50 more plays of one user make one new record per topic, not 50.
    const userId = events[0].userId;
    const more = Array.from({ length: 50 }, (_, i) => ({ ...events[0], timestamp: events[0].timestamp + i }));
    await sendEvents(client, topics.events, more, "avro");
    await waitFor(() => pipeline.stats().output?.publishedUsers === users + 1, "the changed user published again");
    const updates = await readTopic(client, names.counts, users + 1);
    expect(updates).toHaveLength(users + 1);
    expect(latestByKey(updates).get(BigInt(userId))?.readBigInt64BE()).toBe(BigInt(truth.profiles.get(userId)!.totalListenCount + 50));
  });
});
