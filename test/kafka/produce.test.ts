// The \`produce\` command's logic against a real broker: generated data and LFM-1b files, names,
// repeats, dropout, real-time timestamps and the delay between events.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { runProduce } from "../../src/cli/produce.js";
import { createGenerator } from "../../src/ingest/generator.js";
import { readEventBatches } from "../../src/ingest/lfm1b.js";
import { writeLfm1bDataset } from "../../src/ingest/lfm1b-writer.js";
import { produce } from "../../src/kafka/produce.js";
import type { ListeningEvent } from "../../src/types.js";
import { describeKafka, kafkaBrokers } from "./broker.js";
import { freshTopics, GroundTruth, kafkaSuite, readTopic } from "./helpers.js";

describeKafka("Kafka produce", () => {
  const { client, started } = kafkaSuite();

  it("produces generated data with names, repeats and dropout, keyed by user", async () => {
    const topics = freshTopics();
    const generate = { events: 3000, users: 50, artists: 100, seed: 5 };
    const summary = await produce(client, { source: { generate }, format: "json", topics, partitions: 2, repeat: 2, dropout: 0.25 });
    const catalogue = createGenerator(generate).catalogue;
    expect(summary.names).toBe(catalogue.artists.length + catalogue.albums.length + catalogue.tracks.length);
    expect(summary.events + summary.dropped).toBe(6000);
    expect(summary.dropped).toBeGreaterThan(1200);
    expect(summary.dropped).toBeLessThan(1800);

    const records = await readTopic(client, topics.events, summary.events);
    for (const record of records.slice(0, 100)) {
      expect(record.key!.readBigInt64BE()).toBe(BigInt(JSON.parse(record.value!.toString()).userId));
    }
    const { store, pipeline } = await started.consume({ topics, format: "json" });
    await pipeline.caughtUp;
    expect(store.stats().events.accepted).toBe(summary.events);
    expect(store.stats().names).toEqual({ ARTIST: catalogue.artists.length, ALBUM: catalogue.albums.length, TRACK: catalogue.tracks.length });
  });

  it("sends an LFM-1b directory, twice, from the command line", async () => {
    const dir = await mkdtemp(join(tmpdir(), "produce-lfm1b-"));
    try {
      const written = await writeLfm1bDataset(dir, { events: 2000, users: 30, artists: 40 });
      const topics = freshTopics();
      const argv = ["--dir", dir, "--format", "json", "--repeat", "2", "--brokers", kafkaBrokers().join(",")];
      argv.push("--topic", topics.events, "--artists-topic", topics.artists, "--albums-topic", topics.albums, "--tracks-topic", topics.tracks);
      expect(await runProduce(argv, {})).toBe(0);

      const { store, pipeline } = await started.consume({ topics });
      await pipeline.caughtUp;
      const events: ListeningEvent[] = [];
      for await (const batch of readEventBatches(join(dir, "LFM-1b_LEs.txt"))) {
        for (let i = 0; i < batch.userId.length; i++) {
          const event = { userId: batch.userId[i], artistId: batch.artistId[i], albumId: batch.albumId[i], trackId: batch.trackId[i], timestamp: batch.timestamp[i] };
          events.push(event, event);
        }
      }
      new GroundTruth(events).expectMatches(store);
      expect(store.stats().names).toEqual({ ARTIST: written.artists, ALBUM: written.albums, TRACK: written.tracks });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("stamps events with the time they are sent, one by one after a delay, when asked", async () => {
    const topics = freshTopics();
    const before = Date.now();
    await produce(client, { source: { generate: { events: 20, users: 3, artists: 5 } }, format: "avro", topics, realtime: true, delayMs: 5 });
    const after = Date.now();
    const { store, pipeline } = await started.consume({ topics });
    await pipeline.caughtUp;
    const users = new Set((await readTopic(client, topics.events, 20)).map((record) => Number(record.key!.readBigInt64BE())));
    const profiles = [...users].map((userId) => store.profile(userId)!);
    const first = Math.min(...profiles.map((p) => p.firstListenEvent));
    const last = Math.max(...profiles.map((p) => p.lastListenEvent));
    expect(first).toBeGreaterThanOrEqual(before);
    expect(last).toBeLessThanOrEqual(after);
    expect(last - first).toBeGreaterThanOrEqual(19 * 5);
  });
});
