// serve --kafka --state-dir killed with SIGKILL again and again, at random moments and in the middle
// of writing a snapshot, while events keep arriving: after every restart, once caught up from the
// snapshot's offsets, every profile, chart and play count equals the ground truth of all events
// produced, so nothing was lost or applied twice.
import { readdirSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, expect, it } from "vitest";
import { Mulberry32 } from "../../src/engine/random.js";
import { ProfileStore } from "../../src/profile-store.js";
import { FIELDS, type Field, type ListeningEvent } from "../../src/types.js";
import { getJson } from "../helpers/http-server.js";
import { randomEvents } from "../helpers/random-events.js";
import { startServeCli, type ServeProcess } from "../helpers/serve-process.js";
import { describeKafka, kafkaBrokers } from "./broker.js";
import { freshTopics, GroundTruth, newClient, readEvents, sendEvents } from "./helpers.js";

const KILLS = 4;
const FIELD_KEY: Record<Field, keyof ListeningEvent> = { ARTIST: "artistId", ALBUM: "albumId", TRACK: "trackId" };

/** The top 10 of a user and field by plays, ties by id, as the service's charts must list them. */
function expectedChart(events: ListeningEvent[], userId: number, field: Field) {
  const counts = new Map<number, number>();
  for (const event of events) if (event.userId === userId) counts.set(event[FIELD_KEY[field]], (counts.get(event[FIELD_KEY[field]]) ?? 0) + 1);
  return [...counts].map(([id, countPlays]) => ({ id, countPlays })).sort((a, b) => b.countPlays - a.countPlays || a.id - b.id).slice(0, 10);
}

describeKafka("serve --kafka --state-dir under SIGKILL", () => {
  const client = newClient();
  const stateDir = mkdtemp(join(tmpdir(), "profile-store-kill-"));
  afterAll(async () => {
    await client.close();
    await rm(await stateDir, { recursive: true, force: true });
  });

  it(`equals the ground truth after each of ${KILLS} kills, some of them mid-snapshot`, async () => {
    const dir = await stateDir;
    const topics = freshTopics();
    await client.ensureTopics(Object.values(topics), 2);
    const random = new Mulberry32(77);
    const args = [
      ...["--kafka", kafkaBrokers().join(","), "--walker-threads", "0", "--state-dir", dir, "--snapshot-interval", "0.2"],
      ...["--kafka-events-topic", topics.events, "--kafka-artists-topic", topics.artists, "--kafka-albums-topic", topics.albums, "--kafka-tracks-topic", topics.tracks],
    ];
    let batch = 0;
    const produceFor = async (ms: number) => {
      const until = Date.now() + ms;
      while (Date.now() < until) {
        await sendEvents(client, topics.events, randomEvents(200, 1000 + batch++), "avro");
        await sleep(20);
      }
    };
    await produceFor(500);

    let killedMidWrite = 0;
    for (let kill = 0; kill < KILLS; kill++) {
      const service = await startServeCli(args, "ready:");
      const events = await readEvents(client, topics.events);
      if (kill > 0) await expectResumed(service, events.length);
      await expectGroundTruth(service, events);
      // Events keep arriving while it runs and when it dies.
      const producing = produceFor(1500);
      if (kill % 2 === 0) {
        await sleep(200 + random.below(1200));
      } else {
        await sleep(300);
        await untilWriting(dir);
      }
      service.child.kill("SIGKILL");
      await service.exited;
      if (readdirSync(dir).some((name) => name.endsWith(".tmp"))) killedMidWrite++;
      await producing;
    }
    expect(killedMidWrite, "kills that caught a snapshot being written").toBeGreaterThan(0);

    // The last start ends with SIGTERM: its final snapshot holds every play count, which the SDK reads.
    const last = await startServeCli(args, "ready:");
    const events = await readEvents(client, topics.events);
    await expectResumed(last, events.length);
    await expectGroundTruth(last, events);
    last.child.kill("SIGTERM");
    expect(await last.exited).toBe(0);
    new GroundTruth(events).expectMatches(await ProfileStore.load(join(dir, "snapshot.bin"), { timestampUnit: "auto" }));
  }, 120_000);
});

/** The service restored a snapshot and caught up from its offsets, not from the beginning. */
async function expectResumed(service: ServeProcess, records: number): Promise<void> {
  const notLogged = sleep(0).then(() => Promise.reject(new Error("no restore was logged before ready")));
  await Promise.race([service.logged("restored the snapshot"), notLogged]);
  const metrics = await (await fetch(`${service.url}/metrics`)).text();
  const caughtUpWith = Number(/^profile_store_kafka_catchup_total (\d+)$/m.exec(metrics)?.[1]);
  expect(caughtUpWith).toBeLessThan(records);
}

/** Waits until a snapshot's temporary file exists: the service is between creating and renaming it. */
async function untilWriting(dir: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!readdirSync(dir).some((name) => name.endsWith(".tmp"))) {
    if (Date.now() > deadline) throw new Error("no snapshot was written within 10 s");
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Every profile and chart the service answers equals those of `events`, and /readyz says ready. */
async function expectGroundTruth(service: ServeProcess, events: ListeningEvent[]): Promise<void> {
  expect(await getJson(`${service.url}/readyz`)).toEqual({ status: 200, body: { status: "ready" } });
  for (const [userId, profile] of new GroundTruth(events).profiles) {
    const { body } = await getJson(`${service.url}/profiles/${userId}`);
    expect(body, `user ${userId}`).toMatchObject(profile);
    for (const field of FIELDS) {
      const charts = body[`${field.toLowerCase()}Charts`].topK.map(({ id, countPlays }: { id: number; countPlays: number }) => ({ id, countPlays }));
      expect(charts, `user ${userId}, ${field}`).toEqual(expectedChart(events, userId, field));
    }
  }
}
