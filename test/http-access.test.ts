// Who may ask: the Host header check (DNS rebinding) and the optional API key, over a real loopback server.
import { request as httpRequest } from "node:http";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidInputError } from "../src/errors.js";
import { buildServer, type ServerOptions } from "../src/http/server.js";
import { ProfileStore } from "../src/index.js";
import { startServer, type RunningServer } from "./helpers/http-server.js";

const EVENTS = JSON.stringify([{ userId: 1, artistId: 1, albumId: 1, trackId: 1, timestamp: 1_400_000_000_000 }]);

interface Call {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

/** node:http rather than fetch, which does not let a caller set Host. */
function call(server: RunningServer, { method = "GET", path, headers = {}, body }: Call) {
  const { port } = new URL(server.url);
  return new Promise<{ status: number; headers: Record<string, unknown>; body: any }>((resolve, reject) => {
    const request = httpRequest({ host: "127.0.0.1", port, method, path, headers: { ...headers, ...(body ? { "content-type": "application/json" } : {}) } });
    request.on("response", (response) => {
      let text = "";
      response.on("data", (chunk) => (text += chunk));
      const json = String(response.headers["content-type"]).startsWith("application/json");
      response.on("end", () => resolve({ status: response.statusCode!, headers: response.headers, body: json ? JSON.parse(text) : text }));
    });
    request.on("error", reject);
    request.end(body);
  });
}

function suiteServer(options: ServerOptions): { server: RunningServer } {
  const holder = {} as { server: RunningServer; store: ProfileStore };
  beforeAll(async () => {
    holder.store = await ProfileStore.create();
    holder.server = await startServer(holder.store, options);
  });
  afterAll(async () => {
    await holder.server.close();
    await holder.store.close();
  });
  return holder;
}

describe("the Host header", () => {
  const local = suiteServer({});
  const listed = suiteServer({ allowedHosts: ["profiles.example.com", "10.1.2.3", "[fd00::7]"] });
  const open = suiteServer({ allowedHosts: ["*"] });

  it.each(["127.0.0.1", "127.0.0.1:8080", "localhost", "LocalHost:1", "[::1]", "[::1]:8080"])("%s: a loopback name is served", async (host) => {
    expect((await call(local.server, { path: "/healthz", headers: { host } })).status).toBe(200);
  });

  it.each(["evil.example", "evil.example:8080", "127.0.0.1.evil.example", "localhost.evil.example", "10.1.2.3"])(
    "%s: another host gets 421 host_not_allowed",
    async (host) => {
      const answer = await call(local.server, { path: "/healthz", headers: { host } });
      expect(answer.status).toBe(421);
      expect(answer.body).toEqual({ error: "host_not_allowed", message: `the Host header names ${JSON.stringify(host)}, which this service does not answer to` });
    },
  );

  it("applies to every route and method, before anything else", async () => {
    const headers = { host: "evil.example" };
    for (const request of [{ path: "/profiles/1" }, { path: "/nothing" }, { method: "POST", path: "/events", body: EVENTS }, { path: "/docs/json" }]) {
      expect((await call(local.server, { ...request, headers })).status, request.path).toBe(421);
    }
  });

  it("takes the hosts of allowedHosts, with or without port and in any case", async () => {
    for (const host of ["profiles.example.com", "Profiles.Example.com:443", "10.1.2.3:8080", "[fd00::7]:1", "localhost"]) {
      expect((await call(listed.server, { path: "/healthz", headers: { host } })).status, host).toBe(200);
    }
    expect((await call(listed.server, { path: "/healthz", headers: { host: "other.example.com" } })).status).toBe(421);
  });

  it('takes any host with allowedHosts ["*"]', async () => {
    expect((await call(open.server, { path: "/healthz", headers: { host: "anything.example" } })).status).toBe(200);
  });

  it("refuses an HTTP/1.1 request without Host with 400 from the catalogue, serves HTTP/1.0 without it", async () => {
    const { port } = new URL(local.server.url);
    const exchange = (request: string) =>
      new Promise<string>((resolve) => {
        const socket = connect(Number(port), "127.0.0.1", () => socket.end(request));
        let text = "";
        socket.on("data", (chunk) => (text += chunk));
        socket.on("close", () => resolve(text));
      });
    const noHost = await exchange("GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n");
    expect(noHost).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(noHost.slice(noHost.indexOf("\r\n\r\n") + 4))).toEqual({ error: "bad_request", message: "an HTTP/1.1 request needs a Host header" });
    expect(await exchange("GET /healthz HTTP/1.0\r\n\r\n")).toMatch(/^HTTP\/1\.1 200 /);
  });
});

describe("the API key", () => {
  const KEY = "s3cret-key-for-tests";
  const writes = suiteServer({ apiKey: KEY });
  const all = suiteServer({ apiKey: KEY, apiKeyForReads: true });
  const post = (server: RunningServer, headers: Record<string, string> = {}) => call(server, { method: "POST", path: "/events", headers, body: EVENTS });

  it("is needed for POST /events: 401 unauthorized without it or with another", async () => {
    const missing = await post(writes.server);
    expect(missing.status).toBe(401);
    expect(missing.body).toEqual({ error: "unauthorized", message: "this request needs the service's API key in the X-API-Key header" });
    expect(missing.headers["www-authenticate"]).toBe('ApiKey header="X-API-Key"');
    for (const wrong of ["s3cret-key-for-test", `${KEY}x`, KEY.toUpperCase(), "x"]) {
      const answer = await post(writes.server, { "x-api-key": wrong });
      expect(answer.body, wrong).toEqual({ error: "unauthorized", message: "the X-API-Key header does not hold the service's API key" });
    }
    expect(await post(writes.server, { "x-api-key": KEY })).toMatchObject({ status: 200, body: { accepted: 1 } });
  });

  it("is needed for other writes too, before the method is judged", async () => {
    expect((await call(writes.server, { method: "DELETE", path: "/profiles/1" })).status).toBe(401);
    expect((await call(writes.server, { method: "DELETE", path: "/profiles/1", headers: { "x-api-key": KEY } })).status).toBe(405);
  });

  it("is not needed for reads by default", async () => {
    expect((await call(writes.server, { path: "/profiles/999" })).body).toMatchObject({ error: "user_not_found" });
    expect((await call(writes.server, { path: "/metrics" })).status).toBe(200);
  });

  it("with apiKeyForReads, is needed everywhere but /healthz and /readyz", async () => {
    for (const path of ["/profiles/1", "/recommendation/1/ARTIST", "/metrics", "/docs/json", "/nothing"]) {
      expect((await call(all.server, { path })).body, path).toMatchObject({ error: "unauthorized" });
      expect((await call(all.server, { path, headers: { "x-api-key": KEY } })).status, path).not.toBe(401);
    }
    expect((await call(all.server, { path: "/healthz" })).status).toBe(200);
    expect((await call(all.server, { path: "/readyz" })).status).toBe(200);
    expect((await post(all.server)).status).toBe(401);
  });
});

describe("access options", () => {
  it("are refused when they cannot work, naming the option", async () => {
    const store = await ProfileStore.create();
    const cases: Array<[ServerOptions, string]> = [
      [{ apiKeyForReads: true }, "apiKeyForReads"],
      [{ apiKey: "" }, "apiKey"],
      [{ apiKey: "has blank" }, "apiKey"],
      [{ allowedHosts: ["http://example.com"] }, "allowedHosts.0"],
      [{ allowedHosts: ["example.com:8080"] }, "allowedHosts.0"],
    ];
    for (const [options, parameter] of cases) {
      const built = buildServer(store, options);
      await expect(built, parameter).rejects.toThrow(InvalidInputError);
      await expect(buildServer(store, options)).rejects.toMatchObject({ parameter });
    }
    await store.close();
  });
});
