// The service module: a data source loaded behind a listening server, readiness, mounts, the drain
// on close, and the warning for a service reachable beyond loopback without an API key.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ProfileStore } from "../src/index.js";
import { exposureWarning, isLoopback } from "../src/service/exposure.js";
import { startService } from "../src/service/service.js";
import { getJson, startTestService } from "./helpers/http-server.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("startService", () => {
  it("answers /healthz, and 503 on /readyz while the demo loads; close() during the load stops it and skips the drain", async () => {
    const service = await startService({
      source: { kind: "demo", events: 5_000_000, users: 50, artists: 100, seed: 1, liveRate: 0 },
      port: 0,
      walkerThreads: 0,
      drainSeconds: 60,
      logLevel: "silent",
    });
    expect(await getJson(`${service.url}/healthz`)).toEqual({ status: 200, body: { status: "ok" } });
    expect(await getJson(`${service.url}/readyz`)).toEqual({ status: 503, body: { error: "not_ready", message: "data is still loading" } });
    const started = performance.now();
    await service.close();
    expect(performance.now() - started).toBeLessThan(5000);
    await expect(service.ready).rejects.toThrow();
    expect(service.store.stats().events.accepted).toBeLessThan(5_000_000);
  });

  it("runs the demo's live stream once loaded, and stops it on close", async () => {
    const service = await startTestService({ kind: "demo", events: 1000, users: 10, artists: 20, seed: 2, liveRate: 5000 });
    const loaded = service.store.stats().events.accepted;
    expect(loaded).toBe(1000);
    await sleep(300);
    expect(service.store.stats().events.accepted).toBeGreaterThan(loaded);
    await service.close();
    const closed = service.store.stats().events.accepted;
    await sleep(300);
    expect(service.store.stats().events.accepted).toBe(closed);
  });

  it("registers mounts on the app before it listens, with the REST routes' context", async () => {
    const store = await ProfileStore.create();
    const service = await startTestService(
      { kind: "store", store },
      {
        mounts: [
          (app, context) => {
            app.get("/mounted", async () => ({ users: context.store.stats().users, ready: context.readiness.state }));
            app.post("/mounted/events", async (request) => context.events.write(request.body as unknown[]));
          },
        ],
      },
    );
    const event = { userId: 1, artistId: 2, albumId: 3, trackId: 4, timestamp: 1_400_000_000_000 };
    const posted = await fetch(`${service.url}/mounted/events`, { method: "POST", body: JSON.stringify([event]), headers: { "content-type": "application/json" } });
    expect(await posted.json()).toMatchObject({ accepted: 1, rejected: 0 });
    expect(await getJson(`${service.url}/mounted`)).toEqual({ status: 200, body: { users: 1, ready: "ready" } });
    await service.close();
    // A store the caller brought stays the caller's.
    expect(store.profile(1)?.totalListenCount).toBe(1);
    await store.close();
  });

  it("on close, is not ready but answers during the drain, then stops listening", async () => {
    const store = await ProfileStore.create();
    const service = await startTestService({ kind: "store", store }, { drainSeconds: 0.5 });
    const closed = service.close();
    expect(await getJson(`${service.url}/readyz`)).toMatchObject({ status: 503, body: { error: "not_ready" } });
    expect(await getJson(`${service.url}/healthz`)).toEqual({ status: 200, body: { status: "ok" } });
    await closed;
    await expect(fetch(`${service.url}/healthz`)).rejects.toThrow();
    await store.close();
  });

  it("fails to start, releasing the store, when the port is taken", async () => {
    const store = await ProfileStore.create();
    const first = await startTestService({ kind: "store", store });
    const port = Number(new URL(first.url).port);
    await expect(startService({ source: { kind: "demo", events: 10, users: 1, artists: 1, seed: 1, liveRate: 0 }, port, logLevel: "silent" })).rejects.toThrow(/EADDRINUSE/);
    await first.close();
    await store.close();
  });
});

describe("exposure", () => {
  it.each(["127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]", "::ffff:127.0.0.1"])("%s is loopback", (host) => {
    expect(isLoopback(host)).toBe(true);
    expect(exposureWarning(host, undefined)).toBeUndefined();
  });

  it.each(["0.0.0.0", "::", "192.168.1.20", "example.com", "128.0.0.1"])("%s without an API key is warned of", (host) => {
    expect(isLoopback(host)).toBe(false);
    expect(exposureWarning(host, undefined)).toContain(`listening on ${host}, beyond loopback, without an API key`);
    expect(exposureWarning(host, "")).toBeDefined();
    expect(exposureWarning(host, "secret")).toBeUndefined();
  });
});

describe("layers", () => {
  it("src/http reads what the service hands it: it imports no Kafka, engine or service module", () => {
    const root = fileURLToPath(new URL("../src/http/", import.meta.url));
    const files = readdirSync(root, { recursive: true, encoding: "utf8" }).filter((file) => file.endsWith(".ts"));
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      const imports = [...readFileSync(join(root, file), "utf8").matchAll(/from "([^"]+)"/g)].map((match) => match[1]!);
      expect(imports.filter((path) => /\/(kafka|engine|service)\//.test(path)), file).toEqual([]);
    }
  });
});
