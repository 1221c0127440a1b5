// The event consumer against a real broker: both value formats, names, and bad records.
import { expect, it } from "vitest";
import { encodeEvent, encodeItem } from "../../src/kafka/codecs.js";
import { randomEvents } from "../helpers/random-events.js";
import { describeKafka } from "./broker.js";
import { freshTopics, GroundTruth, kafkaSuite, readTopic, recordingLogger, sendEvents, sendRecords, waitFor } from "./helpers.js";

describeKafka("Kafka event consumer", () => {
  const { client, started } = kafkaSuite();

  it("applies JSON events and names written before it started", async () => {
    const topics = freshTopics();
    await client.ensureTopics(Object.values(topics), 3);
    const events = randomEvents(3000, 1);
    await sendEvents(client, topics.events, events, "json");
    await sendRecords(client, topics.artists, [encodeItem(13, "Björk", "json"), encodeItem(26, "Can", "json")], [13, 26]);

    const { store, pipeline } = await started.consume({ topics, format: "json" });
    await pipeline.caughtUp;

    new GroundTruth(events).expectMatches(store);
    expect(store.name("ARTIST", 13)).toBe("Björk");
    expect(store.name("ARTIST", 26)).toBe("Can");
    expect(pipeline.stats()).toMatchObject({ ready: true, eventsApplied: 3000, namesApplied: 2, catchUp: { done: 3002, total: 3002 } });
  });

  it("tells Avro from JSON by the magic byte and keeps applying live events", async () => {
    const topics = freshTopics();
    const history = randomEvents(2000, 2);
    const live = randomEvents(1000, 3);
    await client.ensureTopics(Object.values(topics), 2);
    await sendEvents(client, topics.events, history, "avro");
    const progress: number[] = [];
    const { store, pipeline } = await started.consume({ topics, onProgress: (p) => progress.push(p.done) });
    await pipeline.caughtUp;
    expect(progress.at(-1)).toBe(2000);

    await sendEvents(client, topics.events, live.slice(0, 500), "json");
    await sendEvents(client, topics.events, live.slice(500), "avro");
    await waitFor(() => pipeline.stats().eventsApplied === 3000, "the live events");

    new GroundTruth([...history, ...live]).expectMatches(store);
    const stats = pipeline.stats();
    expect(stats.lag).toBe(0);
    expect(stats.freshness.count).toBe(1000); // only live events count: replayed history has no freshness
    expect(stats.freshness.p99Ms).toBeLessThan(10_000);
  });

  it("skips bad records, counts them by reason, copies them to the dead-letter topic and logs a few lines", async () => {
    const topics = freshTopics();
    const deadLetterTopic = `${topics.events}-dead`;
    const good = randomEvents(500, 4);
    const json = (value: object | string) => Buffer.from(typeof value === "string" ? value : JSON.stringify(value));
    const bad = [
      ...Array.from({ length: 200 }, () => json("{not json")),
      json({ userId: 1, artistId: 2, albumId: 3, timestamp: 4 }),
      json({ userId: 9007199254740993, artistId: 2, albumId: 3, trackId: 4, timestamp: 5 }),
      json({ userId: 1, artistId: -2, albumId: 3, trackId: 4, timestamp: 5 }),
      json({ userId: 1, artistId: 2, albumId: 3, trackId: 4, timestamp: "yesterday" }),
      encodeEvent(1, 2, 3, 4, 5, "avro").subarray(0, 7),
      encodeEvent(1, 2, 3, 4, 5, "avro", 5),
      Buffer.alloc(0),
    ];
    await client.ensureTopics(Object.values(topics), 1);
    const values = [...good.map((e) => encodeEvent(e.userId, e.artistId, e.albumId, e.trackId, e.timestamp, "avro")), ...bad];
    const interleaved = values.map((value, i) => ({ value, key: i })).sort((a, b) => (a.key * 7919) % 709 - (b.key * 7919) % 709);
    await sendRecords(client, topics.events, interleaved.map((r) => r.value), interleaved.map((r) => r.key));
    await sendRecords(client, topics.albums, [json({ id: 1 }), encodeItem(3, "Homogenic", "avro"), encodeItem(4, "Vespertine", "avro", 5)], [1, 3, 4]);

    const logger = recordingLogger();
    const { store, pipeline } = await started.consume({ topics, deadLetterTopic, logger });
    await pipeline.caughtUp;

    new GroundTruth(good).expectMatches(store);
    expect(store.name("ALBUM", 3)).toBe("Homogenic");
    expect(store.name("ALBUM", 4)).toBeUndefined();
    const stats = pipeline.stats();
    expect(stats.badRecords).toEqual({ empty: 1, undecodable: 201, "unknown-schema": 2, "missing-field": 2, "invalid-id": 2, "invalid-timestamp": 1 });
    expect(stats.deadLettered).toBe(209);
    expect(logger.lines.filter((line) => line.includes("bad record")).length).toBeLessThanOrEqual(7);

    const deadLetters = await readTopic(client, deadLetterTopic, 209);
    const reasons = deadLetters.map((record) => String(record.headers?.reason));
    expect(reasons.filter((reason) => reason === "undecodable")).toHaveLength(201);
    expect(reasons.filter((reason) => reason === "unknown-schema")).toHaveLength(2);
    const missingTrack = deadLetters.find((record) => record.value?.equals(bad[200]));
    expect(missingTrack?.headers?.topic?.toString()).toBe(topics.events);
  });

  it("takes Avro values with the schema ids it is given, and no others", async () => {
    const topics = freshTopics();
    await client.ensureTopics(Object.values(topics), 1);
    const events = randomEvents(100, 5);
    const encode = (schemaId: number) => events.map((e) => encodeEvent(e.userId, e.artistId, e.albumId, e.trackId, e.timestamp, "avro", schemaId));
    await sendRecords(client, topics.events, [...encode(12), ...encode(0).slice(0, 3)]);
    await sendRecords(client, topics.tracks, [encodeItem(8, "Jóga", "avro", 13), encodeItem(9, "Hunter", "avro", 12)], [8, 9]);

    const { store, pipeline } = await started.consume({ topics, avroSchemaIds: { events: [12], items: [13] } });
    await pipeline.caughtUp;

    new GroundTruth(events).expectMatches(store);
    expect(store.name("TRACK", 8)).toBe("Jóga");
    expect(store.name("TRACK", 9)).toBeUndefined();
    expect(pipeline.stats().badRecords["unknown-schema"]).toBe(4);
  });
});
