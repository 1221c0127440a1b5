// `profile-store serve` as a user runs it: options and their errors, the embedded demo with its live
// stream, loading an LFM-1b folder, and a graceful exit 0 on SIGTERM/SIGINT.
import { execFile } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { createGenerator } from "../src/ingest/generator.js";
import { getJson } from "./helpers/http-server.js";
import { SERVE_CLI, runServeCli, startService } from "./helpers/serve-process.js";

describe("options", () => {
  it("documents every option with its environment variable and default", () => {
    const { status, stdout } = runServeCli(["--help"]);
    expect(status).toBe(0);
    for (const option of ["--host", "--port", "--lfm", "--events", "--live-rate", "--walker-threads", "--body-limit", "--timestamp-unit", "--log-level"]) {
      expect(stdout).toContain(option);
    }
    expect(stdout).toContain("(default 127.0.0.1; env PROFILE_STORE_HOST)");
    expect(stdout).toContain("(default 8080; env PROFILE_STORE_PORT)");
    expect(stdout).toMatch(/--kafka <brokers> +consume .*\(env PROFILE_STORE_KAFKA\)/);
    expect(stdout).toMatch(/--kafka-events-topic <topic> +.*\(default listeningevents; env PROFILE_STORE_KAFKA_EVENTS_TOPIC\)/);
    expect(stdout).toMatch(/--kafka-output +publish .*\(default false; env PROFILE_STORE_KAFKA_OUTPUT\)/);
  });

  it("refuses Kafka options that could not do what they ask, and exits 2", async () => {
    const refused: Array<[string[], string]> = [
      [["--kafka", "localhost"], '--kafka must be a comma-separated host:port list, got "localhost"'],
      [["--kafka", "a:9092", "--lfm", "dir"], "--kafka and --lfm are two data sources"],
      [["--kafka", "a:9092", "--timestamp-unit", "s"], "Kafka Avro timestamps are epoch ms"],
      [["--kafka-output"], "--kafka-output needs --kafka <brokers>"],
      [["--kafka", "a:9092", "--kafka-output-rate", "5"], "--kafka-output-rate needs --kafka-output"],
      [["--kafka", "a:9092", "--kafka-dead-letter", "dead letters"], "--kafka-dead-letter must be a topic name"],
    ];
    // Side by side: each run is mostly Node and tsx starting up.
    const run = (args: string[]) =>
      promisify(execFile)(process.execPath, [...SERVE_CLI, ...args]).then(
        () => ({ args, status: 0, stderr: "" }),
        (error: { code: number; stderr: string }) => ({ args, status: error.code, stderr: error.stderr }),
      );
    const results = await Promise.all(refused.map(([args]) => run(args)));
    results.forEach((result, i) => expect(result).toMatchObject({ status: 2, stderr: expect.stringContaining(refused[i][1]) }));
  });

  it("names a bad value, from a flag or from the environment, and exits 2", () => {
    const flag = runServeCli(["--port", "70000"]);
    expect(flag.status).toBe(2);
    expect(flag.stderr).toContain('--port must be an integer from 0 to 65535, got "70000"');
    const env = runServeCli([], { PROFILE_STORE_LIVE_RATE: "fast" });
    expect(env.status).toBe(2);
    expect(env.stderr).toContain('PROFILE_STORE_LIVE_RATE must be an integer from 0 to 1000000, got "fast"');
    const threads = runServeCli(["--walker-threads", "65"]);
    expect(threads.status).toBe(2);
    expect(threads.stderr).toContain('--walker-threads must be an integer from 0 to 64, got "65"');
  });
});

describe("the embedded demo", () => {
  it("serves generated data that the live stream keeps changing, then finishes a request in flight on SIGTERM and exits 0", async () => {
    const service = await startService(["--events", "3000", "--users", "20", "--artists", "80", "--live-rate", "2000"], "ready:");
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
      const service = await startService(["--lfm", dir], "ready:");
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
});
