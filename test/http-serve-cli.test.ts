// `profile-store serve` as a user runs it: a bad option's exit code, the embedded demo with its live
// stream, loading an LFM-1b folder, and shutdown on SIGTERM/SIGINT: not ready first, answering
// requests while draining, then exit 0 (or at once on a second signal).
import { once } from "node:events";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createGenerator } from "../src/ingest/generator.js";
import { getJson } from "./helpers/http-server.js";
import { runServeCli, startServeCli } from "./helpers/serve-process.js";

describe("options", () => {
  // The option table's checks are tested in process (cli-options.test.ts); this is the exit code a user sees.
  it("names a bad value, from a flag or from the environment, and exits 2", () => {
    const flag = runServeCli(["--port", "70000"]);
    expect(flag.status).toBe(2);
    expect(flag.stderr).toContain('--port must be an integer from 0 to 65535, got "70000"');
    const env = runServeCli([], { PROFILE_STORE_LIVE_RATE: "fast" });
    expect(env.status).toBe(2);
    expect(env.stderr).toContain('PROFILE_STORE_LIVE_RATE must be an integer from 0 to 1000000, got "fast"');
  });

  it("serves with a request timeout below the headers timeout's default, which then follows it", async () => {
    const service = await startServeCli(["--events", "100", "--live-rate", "0", "--request-timeout", "5000"], "ready:");
    expect((await getJson(`${service.url}/readyz`)).status).toBe(200);
    service.child.kill("SIGTERM");
    expect(await service.exited).toBe(0);
    const refused = runServeCli(["--request-timeout", "5000", "--headers-timeout", "6000"]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain("--headers-timeout must not be longer than --request-timeout, got 6000 and 5000 ms");
  });
});

describe("the embedded demo", () => {
  it("serves generated data that the live stream keeps changing, then finishes a request in flight on SIGTERM and exits 0", async () => {
    const service = await startServeCli(["--events", "3000", "--users", "20", "--artists", "80", "--live-rate", "2000"], "ready:");
    expect(await getJson(`${service.url}/readyz`)).toEqual({ status: 200, body: { status: "ready" } });
    const liveEvents = async () => {
      const text = await (await fetch(`${service.url}/metrics`)).text();
      return Number(/profile_store_events_ingested_total\{source="live"\} (\d+)/.exec(text)?.[1] ?? 0);
    };
    const before = await liveEvents();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await liveEvents()).toBeGreaterThan(before);
    // Recommendations walk on the walker thread while the live stream keeps changing the graph.
    const userId = createGenerator({ events: 3000, users: 20, artists: 80, seed: 1 }).nextEvents(1)[0]!.userId;
    const answers = await Promise.all(Array.from({ length: 20 }, () => getJson(`${service.url}/recommendation/${userId}/TRACK?walks=2000`)));
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(answer.body.recommendations.length).toBeGreaterThan(0);
    }

    const event = { userId: 5, artistId: 6, albumId: 7, trackId: 8, timestamp: 1_400_000_000_000 };
    const { port } = new URL(service.url);
    const inFlight = request({ port, method: "POST", path: "/events", headers: { "content-type": "application/json" } });
    const answer = once(inFlight, "response");
    inFlight.write(`[${JSON.stringify(event)},`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    service.child.kill("SIGTERM");
    await service.logged("SIGTERM received");
    inFlight.end(`${JSON.stringify(event)}]`);
    const [response] = (await answer) as [import("node:http").IncomingMessage];
    const body = JSON.parse((await response.toArray()).join(""));
    expect(response.statusCode).toBe(200);
    expect(response.headers.connection).toBe("close");
    expect(body).toEqual({ accepted: 2, rejected: 0, rejections: [], rejectedBy: {} });
    expect(await service.exited).toBe(0);
  });
});

describe("--lfm", () => {
  it("loads events and names from an LFM-1b folder and exits 0 on SIGINT", async () => {
    const dir = mkdtempSync(join(tmpdir(), "profile-store-lfm-"));
    try {
      writeFileSync(join(dir, "LFM-1b_LEs.txt"), ["7\t10\t20\t30\t1200000000", "7\t10\t20\t31\t1200000100", "7\t12\t22\t33\t1200000050", "8\t10\t20\t30\t1200000200", "x\ty"].join("\n"));
      writeFileSync(join(dir, "LFM-1b_artists.txt"), "10\tRadiohead\n12\tPortishead\n");
      writeFileSync(join(dir, "LFM-1b_albums.txt"), "20\tOK Computer\t10\n22\tDummy\t12\n");
      writeFileSync(join(dir, "LFM-1b_tracks.txt"), '30\tAirbag\t10\n31\tParanoid Android\t10\n33\t"Sour Times"\t12\n');
      const service = await startServeCli(["--lfm", dir], "ready:");
      const profile = await getJson(`${service.url}/profiles/7`);
      expect(profile.body).toMatchObject({
        totalListenCount: 3,
        firstListenEvent: 1_200_000_000_000,
        lastListenEvent: 1_200_000_100_000,
        artistCharts: { topK: [{ id: 10, countPlays: 2, name: "Radiohead" }, { id: 12, countPlays: 1, name: "Portishead" }] },
      });
      expect((await getJson(`${service.url}/recommendation/8/ARTIST?seed=1`)).body).toEqual({
        recommendations: [{ id: 12, score: expect.any(Number), name: "Portishead" }],
      });
      expect((await getJson(`${service.url}/items/TRACK/33`)).body.name).toBe("Sour Times");
      service.child.kill("SIGINT");
      expect(await service.exited).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses a folder that is missing or holds no events file before it listens, naming --lfm", () => {
    const dir = mkdtempSync(join(tmpdir(), "profile-store-lfm-bad-"));
    try {
      const missing = join(dir, "missing");
      expect(runServeCli(["--port", "0", "--lfm", missing])).toMatchObject({ status: 1, stdout: "", stderr: expect.stringMatching(new RegExp(`^profile-store serve: --lfm ${missing}: cannot read the LFM-1b directory .*ENOENT`)) });
      mkdirSync(join(dir, "LFM-1b_LEs.txt"));
      expect(runServeCli(["--port", "0", "--lfm", dir])).toMatchObject({ status: 1, stdout: "", stderr: `profile-store serve: --lfm ${dir}: ${join(dir, "LFM-1b_LEs.txt")} is not a file\n` });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("shutdown", () => {
  const DEMO = ["--events", "2000", "--users", "20", "--artists", "50", "--live-rate", "0"];
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it("on SIGTERM turns not ready first, answers every request during the drain, then exits 0", async () => {
    const DRAIN_MS = 2000;
    const service = await startServeCli([...DEMO, "--drain-seconds", String(DRAIN_MS / 1000)], "ready:");
    const failures: unknown[] = [];
    const statuses = new Map<number, number>();
    let notReadyAt: number | undefined;
    let answeredWhileNotReady = 0;
    let stop = false;
    const client = async (path: string) => {
      while (!stop) {
        try {
          const response = await fetch(`${service.url}${path}`);
          await response.arrayBuffer();
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          if (notReadyAt !== undefined) answeredWhileNotReady++;
        } catch (error) {
          failures.push(error);
        }
      }
    };
    const probe = async () => {
      while (!stop) {
        try {
          const response = await fetch(`${service.url}/readyz`);
          await response.arrayBuffer();
          if (response.status === 503) notReadyAt ??= performance.now();
        } catch (error) {
          failures.push(error);
        }
        await sleep(20);
      }
    };
    const running = [client("/healthz"), client("/healthz"), client("/profiles/999999999"), client("/charts/999999999/ARTIST"), probe()];
    await sleep(200);
    const signalled = performance.now();
    service.child.kill("SIGTERM");
    while (notReadyAt === undefined && performance.now() - signalled < 1000) await sleep(10);
    // Well inside the drain: the service is not ready, and still answers.
    await sleep(DRAIN_MS / 2);
    stop = true;
    await Promise.all(running);
    expect(failures).toEqual([]);
    expect(notReadyAt! - signalled).toBeLessThan(1000);
    expect(answeredWhileNotReady).toBeGreaterThan(0);
    expect([...statuses.keys()].sort()).toEqual([200, 404]);
    expect(await service.exited).toBe(0);
    const elapsed = performance.now() - signalled;
    expect(elapsed).toBeGreaterThanOrEqual(DRAIN_MS - 100);
    expect(elapsed).toBeLessThan(DRAIN_MS + 10_000);
  });

  it("exits at once on a second signal during the drain", async () => {
    const service = await startServeCli([...DEMO, "--drain-seconds", "60"], "ready:");
    service.child.kill("SIGTERM");
    await service.logged("SIGTERM received");
    expect(await getJson(`${service.url}/readyz`)).toEqual({ status: 503, body: { error: "not_ready", message: "the service is shutting down" } });
    const second = performance.now();
    service.child.kill("SIGINT");
    expect(await service.exited).toBe(130);
    expect(performance.now() - second).toBeLessThan(5000);
  });
});
