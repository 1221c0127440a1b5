// The dead-letter topic against a real broker: bad records far beyond one produce request's limit are
// copied in bounded requests (oversized ones truncated), and a dead-letter topic that refuses them
// never stops the good records.
import { Kafka, logLevel } from "kafkajs";
import { expect, it } from "vitest";
import { encodeEvent } from "../../src/kafka/codecs.js";
import { DEAD_LETTER_VALUE_BYTES } from "../../src/kafka/dead-letters.js";
import type { ListeningEvent } from "../../src/types.js";
import { randomEvents } from "../helpers/random-events.js";
import { describeKafka, kafkaBrokers } from "./broker.js";
import { freshTopics, GroundTruth, kafkaSuite, readTopic, recordingLogger, sendRecords } from "./helpers.js";

/** Non-JSON values of `bytes` bytes each, each one different. */
function garbage(count: number, bytes: number): Buffer[] {
  return Array.from({ length: count }, (_, i) => Buffer.alloc(bytes, `not json ${i} `));
}

function avro(events: ListeningEvent[]): Buffer[] {
  return events.map((e) => encodeEvent(e.userId, e.artistId, e.albumId, e.trackId, e.timestamp, "avro"));
}

describeKafka("Kafka dead-letter topic", () => {
  const { client, started } = kafkaSuite();

  it("copies 1,000 bad records of 2 KB and two of 600 KB in bounded requests, truncating the big ones, and applies every good record", async () => {
    const topics = freshTopics();
    const deadLetterTopic = `${topics.events}-dead`;
    await client.ensureTopics(Object.values(topics), 1);
    const good = randomEvents(1000, 41);
    const small = garbage(1000, 2100);
    const large = garbage(2, 600_000);
    // Sent in requests the broker takes, interleaved, so that one fetch holds them all (about 3.3 MB).
    for (let i = 0; i < 5; i++) {
      await sendRecords(client, topics.events, [...avro(good.slice(i * 200, (i + 1) * 200)), ...small.slice(i * 200, (i + 1) * 200)]);
    }
    for (const value of large) await sendRecords(client, topics.events, [value]);

    const { store, pipeline } = await started.consume({ topics, deadLetterTopic });
    await pipeline.caughtUp;

    new GroundTruth(good).expectMatches(store);
    expect(pipeline.isReady()).toBe(true);
    expect(pipeline.stats()).toMatchObject({ eventsApplied: 1000, badRecords: { undecodable: 1002 }, deadLettered: 1002, deadLetterFailures: 0 });
    const deadLetters = await readTopic(client, deadLetterTopic, 1002);
    expect(deadLetters).toHaveLength(1002);
    const header = (record: (typeof deadLetters)[number], name: string) => record.headers?.[name]?.toString();
    for (const record of deadLetters) {
      expect(header(record, "reason")).toBe("undecodable");
      expect(header(record, "topic")).toBe(topics.events);
      expect(header(record, "partition")).toBe("0");
    }
    // Requests go out side by side, so the copies need not keep the input's order.
    const truncated = deadLetters
      .filter((record) => header(record, "truncated") !== undefined)
      .sort((a, b) => Number(header(a, "offset")) - Number(header(b, "offset")));
    expect(truncated.map((record) => [header(record, "truncated"), record.value?.length])).toEqual([
      ["600000", DEAD_LETTER_VALUE_BYTES],
      ["600000", DEAD_LETTER_VALUE_BYTES],
    ]);
    expect(truncated.map((record) => Number(header(record, "offset")))).toEqual([2000, 2001]);
    expect(truncated[0].value?.equals(large[0].subarray(0, DEAD_LETTER_VALUE_BYTES))).toBe(true);
    const copies = new Map(deadLetters.map((record) => [Number(header(record, "offset")), record.value]));
    expect(copies.get(200)?.equals(small[0])).toBe(true); // the first bad record, after 200 good ones
    expect(copies.get(1999)?.equals(small[999])).toBe(true);
  });

  it("counts dead letters the topic refuses, logs them in a line, and still applies every good record", async () => {
    const topics = freshTopics();
    const deadLetterTopic = `${topics.events}-dead`;
    // A dead-letter topic that takes no record batch over 1 KB: every copy below is refused, for good.
    const admin = new Kafka({ brokers: kafkaBrokers(), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic: deadLetterTopic, configEntries: [{ name: "max.message.bytes", value: "1024" }] }], waitForLeaders: true });
    } finally {
      await admin.disconnect();
    }
    await client.ensureTopics(Object.values(topics), 1);
    const good = randomEvents(600, 42);
    for (let i = 0; i < 3; i++) {
      await sendRecords(client, topics.events, [...garbage(10, 2000), ...avro(good.slice(i * 200, (i + 1) * 200))]);
    }

    const logger = recordingLogger();
    const { store, pipeline } = await started.consume({ topics, deadLetterTopic, logger });
    await pipeline.caughtUp;

    new GroundTruth(good).expectMatches(store);
    expect(pipeline.isReady()).toBe(true);
    expect(pipeline.stats()).toMatchObject({ eventsApplied: 600, badRecords: { undecodable: 30 }, deadLettered: 0, deadLetterFailures: 30 });
    const failures = logger.lines.filter((line) => line.includes(`dead-letter topic ${deadLetterTopic}`));
    expect(failures.length).toBeGreaterThanOrEqual(1);
    expect(failures.length).toBeLessThanOrEqual(3);
  });
});
