// `profile-store query` as a user runs it, against a real service on loopback.
import { execFile } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ProfileStore } from "../src/index.js";
import { startGraphqlServer, type GraphqlServer } from "./helpers/graphql-server.js";

const CLI = ["--import", "tsx", "src/cli/main.ts", "query"];

/** Runs the CLI without blocking this process's event loop (the service answers from it). */
async function query(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [...CLI, ...args], { encoding: "utf8" });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    return { code, stdout, stderr };
  }
}

describe("profile-store query", () => {
  let store: ProfileStore;
  let server: GraphqlServer;
  beforeAll(async () => {
    store = await ProfileStore.create();
    store.ingest([
      { userId: 1, artistId: 10, albumId: 100, trackId: 1000, timestamp: 1_400_000_000_000 },
      { userId: 2, artistId: 10, albumId: 100, trackId: 1000, timestamp: 1_400_000_001_000 },
      { userId: 2, artistId: 20, albumId: 200, trackId: 2000, timestamp: 1_400_000_002_000 },
    ]);
    store.setNames("ARTIST", [[10, "Radiohead"], [20, "Portishead"]]);
    store.setNames("ALBUM", [[100, "OK Computer"], [200, "Dummy"]]);
    store.setNames("TRACK", [[1000, "Airbag"], [2000, "Roads"]]);
    server = await startGraphqlServer(store);
  });
  afterAll(() => server.close());

  it("prints a profile, and says so for an unknown listener", async () => {
    const known = await query(["profile", "2", "--url", server.url]);
    expect(known.code).toBe(0);
    expect(JSON.parse(known.stdout)).toMatchObject({ totalListenCount: 2, artistCharts: { topK: [{ id: 10, countPlays: 1, artist: { name: "Radiohead" } }, { id: 20, countPlays: 1 }] } });
    expect(await query(["profile", "9", "--url", server.url])).toMatchObject({ code: 1, stderr: "profile-store query: no listener 9\n" });
  });

  it("tells a chart item without a name from an unknown listener", async () => {
    store.ingest([{ userId: 4, artistId: 30, albumId: 300, trackId: 3000, timestamp: 1_300_000_000_000 }]);
    const unnamed = await query(["profile", "4", "--url", server.url]);
    expect(unnamed.code).toBe(1);
    expect(unnamed.stderr).not.toContain("no listener");
    expect(unnamed.stderr).toMatch(/^profile-store query: .*30/);
  });

  it("recommends with the SDK's answer for a seed, sends a play, lists listeners and watches", async () => {
    const recommended = await query(["recommend", "1", "--url", server.url, "--field", "TRACK", "--walks", "200", "--seed", "3"]);
    expect(JSON.parse(recommended.stdout)).toEqual(store.recommend(1, "TRACK", { walks: 200, seed: 3 }).recommendations);
    // Choices in any case, as REST takes them.
    const anyCase = await query(["recommend", "1", "--url", server.url, "--field", "track", "--preset", "SEED", "--walks", "200", "--seed", "3"]);
    expect(JSON.parse(anyCase.stdout)).toEqual(JSON.parse(recommended.stdout));
    const watching = query(["watch", "--url", server.url, "--count", "1"]);
    await expect.poll(() => server.hub.stats().subscribers, { timeout: 10_000 }).toBe(1);
    const sent = await query(["send", "--url", server.url, "--user", "3", "--artist", "20", "--album", "200", "--track", "2000", "--timestamp", "1400000009000"]);
    expect(JSON.parse(sent.stdout)).toEqual({ userId: 3, artistId: 20, albumId: 200, trackId: 2000, timestamp: 1_400_000_009_000 });
    expect(JSON.parse((await watching).stdout)).toMatchObject({ userId: 3, track: { name: "Roads" } });
    const listeners = await query(["listeners", "--url", server.url, "--count", "2"]);
    expect(JSON.parse(listeners.stdout).map((l: { userId: number }) => l.userId)).toEqual([3, 2]);
  });

  it("names what is wrong with its arguments, and a service that is not there", async () => {
    expect(await query(["recommend", "x"])).toMatchObject({ code: 2, stderr: expect.stringContaining('query recommend needs a listener id, an integer from 0 to 2^53-1, got "x"') });
    expect(await query(["send", "--user", "1"])).toMatchObject({ code: 2, stderr: expect.stringContaining("query send needs --artist <id>, --album <id>, --track <id>") });
    expect(await query(["tell"])).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown action "tell": give one of profile, recommend, send, listeners, watch') });
    // The service's bounds, not the SDK's wider ones.
    expect(await query(["recommend", "1", "--walks", "50000"])).toMatchObject({ code: 2, stderr: expect.stringContaining("--walks") });
    expect(await query(["listeners", "--count", "101"])).toMatchObject({ code: 2, stderr: expect.stringContaining("--count must be an integer from 1 to 100, got 101") });
    expect(await query(["profile", "--help"])).toMatchObject({ code: 0, stdout: expect.stringContaining("profile-store query") });
    expect(await query(["listeners", "--limit", "2"])).toMatchObject({ code: 2, stderr: expect.stringContaining("--limit is an option of query recommend, not of query listeners") });
    expect(await query(["recommend", "1", "--order=MOST_ACTIVE"])).toMatchObject({ code: 2, stderr: expect.stringContaining("--order is an option of query listeners, not of query recommend") });
    // What the service says is wrong reaches the user.
    const overBudget = await query(["recommend", "1", "--url", server.url, "--walks", "10000", "--walk-length", "1000"]);
    expect(overBudget).toMatchObject({ code: 1, stderr: expect.stringContaining("REST service responded with code 400: ") });
    expect(overBudget.stderr).toContain("walks x walkLength");
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const down = await query(["profile", "1", "--url", `http://127.0.0.1:${port}`]);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/^profile-store query: .*ECONNREFUSED/);
  });
});
