// serve --state-dir with the embedded demo and with LFM-1b files, as a user runs it: the first start
// loads the source and writes a snapshot when it stops; the next start restores it and skips the
// load; a corrupt snapshot or one of another source is refused with a warning, and the source is
// loaded from the beginning.
import { spawnSync } from "node:child_process";
import { appendFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeLfm1bDataset } from "../src/index.js";
import { getJson } from "./helpers/http-server.js";
import { runServeCli, startServeCli, type ServeProcess } from "./helpers/serve-process.js";

const root = await mkdtemp(join(tmpdir(), "profile-store-serve-snapshots-"));
afterAll(() => rm(root, { recursive: true, force: true }));

const GENERATED = ["--events", "20000", "--users", "50", "--artists", "200"];
const DEMO = [...GENERATED, "--live-rate", "0"];

/** The value of one series (name with labels) on /metrics; undefined when absent. */
async function metric(service: ServeProcess, name: string): Promise<number | undefined> {
  const text = await (await fetch(`${service.url}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(" ") + 1));
}

/** What the service answers about its most active listeners, to compare starts with. */
async function answers(service: ServeProcess) {
  const query = "{ listeners(limit: 100, order: MOST_ACTIVE) { userId totalListenCount firstListenEvent lastListenEvent } }";
  const response = await fetch(`${service.url}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query }) });
  const listeners = ((await response.json()) as { data: { listeners: Array<{ userId: number }> } }).data.listeners;
  const profiles = await Promise.all(listeners.slice(0, 10).map(async ({ userId }) => (await getJson(`${service.url}/profiles/${userId}`)).body));
  // Walked on the service's walker thread, over the restored memory.
  const recommendations = await Promise.all(listeners.slice(0, 5).map(async ({ userId }) => (await getJson(`${service.url}/recommendation/${userId}/TRACK?seed=7`)).body));
  return { listeners, profiles, recommendations };
}

async function stop(service: ServeProcess): Promise<void> {
  service.child.kill("SIGTERM");
  expect(await service.exited).toBe(0);
}

describe.each([
  { name: "the demo", args: async () => DEMO },
  {
    name: "--lfm",
    args: async () => {
      const dir = join(root, "lfm");
      await writeLfm1bDataset(dir, { events: 20_000, users: 40, artists: 100, seed: 3 });
      return ["--lfm", dir, "--walker-threads", "0"];
    },
  },
])("$name with --state-dir", ({ name, args }) => {
  it("loads once, snapshots on SIGTERM, then restores without loading; refuses a corrupt snapshot and loads again", async () => {
    const stateDir = join(root, name.replace(/\W/g, ""));
    const source = [...(await args()), "--state-dir", stateDir];
    const first = await startServeCli(source, "ready:");
    await first.logged("no snapshot at");
    expect(await metric(first, 'profile_store_events_ingested_total{source="preload"}')).toBe(20_000);
    const loaded = await answers(first);
    expect(loaded.listeners.length).toBeGreaterThan(10);
    await stop(first);

    const second = await startServeCli(source, "ready:");
    await second.logged("restored the snapshot");
    // The restore's progress, before the service listens (on stderr, not a terminal: a line per tenth).
    expect(second.stderr()).toContain(`restore ${join(stateDir, "snapshot.bin")}: 100% (`);
    expect(second.stderr()).toMatch(/: 100% \((\d+)\/\1 MB\)/);
    expect(await metric(second, 'profile_store_events_ingested_total{source="preload"}')).toBeUndefined();
    expect(await answers(second)).toEqual(loaded);
    expect(await metric(second, "profile_store_snapshot_bytes")).toBeGreaterThan(0);
    await stop(second);

    const file = join(stateDir, "snapshot.bin");
    const bytes = await readFile(file);
    bytes[bytes.length - 100]! ^= 0xff;
    await writeFile(file, bytes);
    const third = await startServeCli(source, "ready:");
    await third.logged("is corrupt: the state's checksum is");
    await third.logged("loading the data source from the beginning instead");
    expect(await metric(third, 'profile_store_events_ingested_total{source="preload"}')).toBe(20_000);
    expect(await answers(third)).toEqual(loaded);
    await stop(third);
  });
});

it("refuses a snapshot of other demo options, naming the option", async () => {
  const stateDir = join(root, "other-options");
  const first = await startServeCli([...DEMO, "--state-dir", stateDir], "ready:");
  await stop(first);
  const other = await startServeCli([...DEMO, "--seed", "2", "--state-dir", stateDir], "ready:");
  await other.logged("is taken from another data source: it was taken with seed 1; this service has seed 2");
  expect(await metric(other, 'profile_store_events_ingested_total{source="preload"}')).toBe(20_000);
  await stop(other);
});

it("snapshots after --snapshot-events events, long before --snapshot-interval, and reports it in /metrics", async () => {
  const stateDir = join(root, "by-events");
  const service = await startServeCli([...GENERATED, "--live-rate", "5000", "--state-dir", stateDir, "--snapshot-interval", "3600", "--snapshot-events", "2000"], "ready:");
  await service.logged(`snapshot ${join(stateDir, "snapshot.bin")}:`);
  expect(await metric(service, "profile_store_snapshot_bytes")).toBeGreaterThan(0);
  expect(await metric(service, "profile_store_snapshot_duration_seconds")).toBeGreaterThan(0);
  expect(await metric(service, "profile_store_snapshot_age_seconds")).toBeLessThan(60);
  await stop(service);
});

it("refuses a snapshot of LFM-1b files that changed since", async () => {
  const dir = join(root, "lfm-changed");
  await writeLfm1bDataset(dir, { events: 2000, users: 20, artists: 50, seed: 4 });
  const args = ["--lfm", dir, "--walker-threads", "0", "--state-dir", join(root, "lfm-changed-state")];
  await stop(await startServeCli(args, "ready:"));
  const events = (await readdir(dir)).find((name) => name.startsWith("LFM-1b_LEs"))!;
  await appendFile(join(dir, events), "1\t2\t3\t4\t1200000000\n");
  const changed = await startServeCli(args, "ready:");
  // Only the file that changed is named, not all of them.
  await changed.logged('is taken from another data source: it was taken with files[0] {"name":"LFM-1b_LEs.txt","bytes":');
  expect(changed.stderr()).not.toContain("LFM-1b_tracks.txt");
  await stop(changed);
});

describe("a state directory that cannot take snapshots", () => {
  it("is refused at the start when it is a file, read by another service, or its lock's process is gone", async () => {
    const file = join(root, "a-file");
    await writeFile(file, "");
    expect(runServeCli([...DEMO, "--port", "0", "--state-dir", file])).toMatchObject({ status: 1, stderr: `profile-store serve: --state-dir ${file} cannot be made: ${file} is not a directory\n` });

    const shared = join(root, "shared");
    const owner = await startServeCli([...DEMO, "--state-dir", shared], "ready:");
    const second = runServeCli([...DEMO, "--port", "0", "--state-dir", shared]);
    expect(second.status).toBe(1);
    expect(second.stderr).toContain(`--state-dir ${shared} is in use by process ${owner.child.pid} (its lock file ${join(shared, "lock")})`);
    await stop(owner);
    expect(await readdir(shared)).toEqual(["snapshot.bin"]);

    // A lock left by a process that is gone (kill -9) is taken over.
    const gone = spawnSync(process.execPath, ["-e", ""]).pid;
    await writeFile(join(shared, "lock"), `${gone}\n`);
    const next = await startServeCli([...DEMO, "--state-dir", shared], "ready:");
    await next.logged("restored the snapshot");
    await stop(next);
  });

  it("keeps serving when snapshots fail, tries again only by the policy, and exits 1 when the last one fails", async () => {
    const stateDir = join(root, "blocked");
    await mkdir(join(stateDir, "snapshot.bin"), { recursive: true });
    const service = await startServeCli([...GENERATED, "--live-rate", "20", "--state-dir", stateDir, "--snapshot-interval", "3600", "--snapshot-events", "100"], "ready:");
    await service.logged(`snapshot ${join(stateDir, "snapshot.bin")} is unreadable: it is not a regular file; loading the data source from the beginning instead`);
    await service.logged(`snapshot ${join(stateDir, "snapshot.bin")} failed: EISDIR`);
    expect(await metric(service, "profile_store_snapshot_failures")).toBe(1);
    // 100 more events take 5 s at 20 events/s: no second try before that.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(await metric(service, "profile_store_snapshot_failures")).toBe(1);
    expect((await getJson(`${service.url}/readyz`)).status).toBe(200);
    service.child.kill("SIGTERM");
    expect(await service.exited).toBe(1);
    expect(service.stderr()).toContain(`the last snapshot failed, so the state of this run is not saved in ${join(stateDir, "snapshot.bin")}: EISDIR`);
    expect(await readdir(stateDir)).toEqual(["snapshot.bin"]);
  });
});
