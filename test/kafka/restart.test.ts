// Neither a consumer killed mid-stream nor a broker restarted mid-stream may lose or double-count
// an event: every play count and profile must equal the ground truth afterwards.
import { expect, it } from "vitest";
import type { ListeningEvent } from "../../src/types.js";
import { randomEvents } from "../helpers/random-events.js";
import { describeKafka, itRestartingBroker, startBroker, stopBroker } from "./broker.js";
import { freshTopics, GroundTruth, kafkaSuite, readEvents, sendEvents, waitFor } from "./helpers.js";

const CHUNK = 1000;

function chunks(events: ListeningEvent[]): ListeningEvent[][] {
  return Array.from({ length: Math.ceil(events.length / CHUNK) }, (_, i) => events.slice(i * CHUNK, (i + 1) * CHUNK));
}

describeKafka("Kafka restarts", () => {
  const { client, started } = kafkaSuite();

  it("replays from the beginning after the consumer is killed mid-stream", async () => {
    const topics = freshTopics();
    await client.ensureTopics(Object.values(topics), 3);
    const events = randomEvents(20 * CHUNK, 11);
    const stream = chunks(events);
    await sendEvents(client, topics.events, stream[0], "avro");

    const first = await started.consume({ topics });
    // Keep producing while the first consumer works, then kill it in the middle of the stream: the
    // second half is produced only once it is gone, so it cannot have seen every event.
    const half = stream.length / 2;
    const produce = async (part: ListeningEvent[][]) => {
      for (const chunk of part) {
        await sendEvents(client, topics.events, chunk, "avro");
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    };
    const producingFirstHalf = produce(stream.slice(1, half));
    await waitFor(() => first.pipeline.stats().eventsApplied >= 3 * CHUNK, "the first consumer to get going");
    await first.pipeline.close();
    await producingFirstHalf;
    const appliedByFirst = first.pipeline.stats().eventsApplied;
    const producing = produce(stream.slice(half));

    const second = await started.consume({ topics });
    await producing;
    expect(appliedByFirst).toBeLessThan(events.length); // it really died mid-stream
    await waitFor(() => second.pipeline.stats().eventsApplied >= events.length, "the restarted consumer to apply every event");
    expect(second.pipeline.stats().eventsApplied).toBe(events.length);
    new GroundTruth(events).expectMatches(second.store);
    await waitFor(() => second.pipeline.isReady(), "readiness");
  });

  it("replaces a worker thread terminated mid-stream, reports not ready meanwhile, and continues where the applied records end", async () => {
    const topics = freshTopics();
    await client.ensureTopics(Object.values(topics), 3);
    const events = randomEvents(20 * CHUNK, 13);
    const stream = chunks(events);
    const send = async (from: number, to: number, pauseMs = 0) => {
      for (const chunk of stream.slice(from, to)) {
        await sendEvents(client, topics.events, chunk, "avro");
        await new Promise((resolve) => setTimeout(resolve, pauseMs));
      }
    };
    const terminate = async (restartsBefore: number) => {
      await pipeline.terminateWorker();
      expect(pipeline.stats()).toMatchObject({ workerRunning: false, ready: false, restarts: restartsBefore });
    };
    await send(0, 5);
    const { store, pipeline } = await started.consume({ topics });

    await waitFor(() => pipeline.stats().eventsApplied >= 5 * CHUNK && pipeline.stats().workerRunning, "the first worker's events");
    await terminate(0);
    await send(5, 10); // while no worker runs
    await waitFor(() => pipeline.stats().workerRunning, "the first replacement");
    expect(pipeline.stats().restarts).toBe(1);

    const producing = send(10, 15, 25);
    await waitFor(() => pipeline.stats().eventsApplied >= 11 * CHUNK && pipeline.stats().workerRunning, "the replacement's events");
    await terminate(1); // while events stream in
    await producing;
    await send(15, 20);
    await waitFor(() => pipeline.stats().workerRunning, "the second replacement");
    await waitFor(() => pipeline.stats().eventsApplied >= events.length, "every event after the restarts");
    await waitFor(() => pipeline.isReady(), "ready again");
    expect(pipeline.stats()).toMatchObject({ eventsApplied: events.length, lag: 0, restarts: 2 });
    new GroundTruth(events).expectMatches(store);
  });

  it("closes at once between worker restarts, while a worker starts, and when closed twice", async () => {
    const topics = freshTopics();
    await client.ensureTopics(Object.values(topics), 1);
    await sendEvents(client, topics.events, randomEvents(100, 14), "avro");
    const within = async (what: string, promise: Promise<void>) => {
      const started = Date.now();
      await promise;
      expect(Date.now() - started, what).toBeLessThan(4000);
    };

    const dead = await started.consume({ topics });
    await waitFor(() => dead.pipeline.stats().workerRunning, "the worker");
    await dead.pipeline.terminateWorker();
    await within("close during the pause before a restart", dead.pipeline.close());
    await within("a second close", dead.pipeline.close());
    expect(dead.pipeline.stats()).toMatchObject({ workerRunning: false, restarts: 0 });

    const starting = await started.consume({ topics });
    await waitFor(() => starting.pipeline.stats().catchUp.total > 0, "the worker to be started");
    expect(starting.pipeline.stats().workerRunning).toBe(false);
    await within("close while the worker starts", Promise.all([starting.pipeline.close(), starting.pipeline.close()]).then(() => undefined));
  });

  itRestartingBroker("reports not ready while the broker is down, then resumes without loss", async () => {
    const topics = freshTopics();
    await client.ensureTopics(Object.values(topics), 2);
    const events = randomEvents(6 * CHUNK, 12);
    const [before, during, after] = [events.slice(0, 2 * CHUNK), events.slice(2 * CHUNK, 4 * CHUNK), events.slice(4 * CHUNK)];
    await sendEvents(client, topics.events, before, "avro");
    const { store, pipeline } = await started.consume({ topics, staleAfterMs: 1500 });
    await pipeline.caughtUp;
    // The consumer is still working through these when the broker goes.
    await sendEvents(client, topics.events, during, "avro");
    await stopBroker();
    await waitFor(() => !pipeline.isReady(), "not ready while the broker is down");
    expect(pipeline.stats().connected).toBe(false);
    expect(store.profile(before[0].userId)).toBeDefined(); // still serving what it has

    await startBroker();
    await sendEvents(client, topics.events, after, "avro");
    // The truth is what the topic holds: a producer retry across the restart may have written some twice.
    const logged = await readEvents(client, topics.events);
    expect(logged.length).toBeGreaterThanOrEqual(events.length);
    await waitFor(() => pipeline.stats().eventsApplied >= logged.length, "every event after the restart", 60_000);
    expect(pipeline.stats().eventsApplied).toBe(logged.length);
    await waitFor(() => pipeline.isReady(), "ready again");
    new GroundTruth(logged).expectMatches(store);
  });
});
