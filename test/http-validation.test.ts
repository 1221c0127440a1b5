// Invalid input over HTTP: every bad parameter is a 400 naming it, bodies are bounded, and a battery
// of malformed requests neither crashes the service nor changes its state.
import { request as httpRequest } from "node:http";
import { beforeAll, describe, expect, it } from "vitest";
import { HTTP_ERRORS } from "../src/http/errors.js";
import { getJson, serveGeneratedStore } from "./helpers/http-server.js";

const BODY_LIMIT = 64 * 1024;
const suite = serveGeneratedStore({ bodyLimit: BODY_LIMIT });
let user: number;

beforeAll(() => {
  user = suite.data.users[0]!;
});

describe("400 names the parameter, the value and what is allowed", () => {
  const cases: Array<[query: string, parameter: string, value: unknown, allowed: string]> = [
    ["limit=0", "limit", "0", "an integer from 1 to 1000"],
    ["limit=1001", "limit", "1001", "an integer from 1 to 1000"],
    ["limit=abc", "limit", "abc", "an integer from 1 to 1000"],
    ["limit=", "limit", "", "an integer from 1 to 1000"],
    ["limit=10.5", "limit", "10.5", "an integer from 1 to 1000"],
    ["limit=0x10", "limit", "0x10", "an integer from 1 to 1000"],
    ["limit=1&limit=2", "limit", ["1", "2"], "an integer from 1 to 1000"],
    ["walks=0", "walks", "0", "an integer from 1 to 10000"],
    ["walks=10001", "walks", "10001", "an integer from 1 to 10000"],
    ["walkLength=1001", "walkLength", "1001", "an integer from 1 to 1000"],
    // The walk budget holds for the values the walk runs with: checked after the SDK resolves them, so the value is a number.
    ["walks=2000&walkLength=1000", "walks", 2000, "at most 1000 with walkLength 1000 (walks x walkLength <= 1000000)"],
    ["resetProbability=1.5", "resetProbability", "1.5", "a number from 0 to 1"],
    ["resetProbability=-0.1", "resetProbability", "-0.1", "a number from 0 to 1"],
    ["resetProbability=NaN", "resetProbability", "NaN", "a number from 0 to 1"],
    ["resetProbability=Infinity", "resetProbability", "Infinity", "a number from 0 to 1"],
    ["resetProbability=1e400", "resetProbability", "1e400", "a number from 0 to 1"],
    ["seed=-1", "seed", "-1", "an integer from 0 to 4294967295"],
    ["seed=4294967296", "seed", "4294967296", "an integer from 0 to 4294967295"],
    ["limt=5", "limt", "5", "a known parameter: limit, walks, walkLength, resetProbability, seed, popularityPenalty, preset, method, neighbours, itemExponent, userExponent, hubCap, edgeWeight, ridge"],
    ["preset=best", "preset", "best", "one of seed, quality (any case)"],
    ["method=walk", "method", "walk", "one of salsa, exact (any case)"],
    ["edgeWeight=plays", "edgeWeight", "plays", "one of pair, play, log (any case)"],
    ["neighbours=0", "neighbours", "0", "an integer from 1 to 1000"],
    ["neighbours=many", "neighbours", "many", "an integer from 1 to 1000"],
    ["hubCap=1001", "hubCap", "1001", "an integer from 1 to 1000"],
    ["itemExponent=2.5", "itemExponent", "2.5", "a number from 0 to 2"],
    ["userExponent=-1", "userExponent", "-1", "a number from 0 to 2"],
  ];
  it.each(cases)("?%s", async (query, parameter, value, allowed) => {
    const { status, body } = await getJson(`${suite.server.url}/recommendation/${user}/ARTIST?${query}`);
    expect(status).toBe(400);
    expect(body).toEqual({ error: "invalid_parameter", parameter, value, allowed, message: expect.stringContaining(`${parameter} must be ${allowed}`) });
  });

  const paths: Array<[path: string, parameter: string, value: string]> = [
    ["/recommendation/abc/ARTIST", "userId", "abc"],
    ["/recommendation/-1/ARTIST", "userId", "-1"],
    ["/recommendation/1.5/ARTIST", "userId", "1.5"],
    ["/recommendation/1e3/ARTIST", "userId", "1e3"],
    ["/recommendation/9007199254740992/ARTIST", "userId", "9007199254740992"],
    ["/recommendation/99999999999999999999999/ARTIST", "userId", "99999999999999999999999"],
    ["/recommendation/1/SONG", "field", "SONG"],
    ["/profiles/x", "userId", "x"],
    ["/charts/1/ARTIST?k=0", "k", "0"],
    ["/charts/1/ARTIST?k=11", "k", "11"],
    ["/items/ARTIST/-3", "id", "-3"],
  ];
  it.each(paths)("%s", async (path, parameter, value) => {
    const { status, body } = await getJson(`${suite.server.url}${path}`);
    expect(status).toBe(400);
    expect(body).toMatchObject({ error: "invalid_parameter", parameter, value });
  });
});

describe("request bodies", () => {
  it("refuses a body over the limit with 413", async () => {
    const events = Array.from({ length: 2000 }, () => ({ userId: 1, artistId: 1, albumId: 1, trackId: 1, timestamp: 1 }));
    const answer = await post(JSON.stringify(events), "application/json");
    expect(answer).toEqual({ status: 413, body: { error: "body_too_large", message: expect.any(String) } });
  });

  it("refuses an object where an array of events belongs", async () => {
    const answer = await post('{"userId":1}', "application/json");
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: "invalid_parameter", parameter: "body", allowed: "a JSON array of listening events, or NDJSON" });
  });
});

/** Requests that must each be refused whole: none may change the store or take the service down. */
const MALFORMED: Array<{ method?: string; path: string; body?: string | Blob; type?: string; status: number }> = [
  { path: "/recommendation/abc/ARTIST", status: 400 },
  { path: "/recommendation/1/ARTIST?walks=1e9&walkLength=1e9", status: 400 },
  { path: "/recommendation/1/ARTIST?limit=99999999999999999999999999999", status: 400 },
  { path: "/recommendation/1/ARTIST?resetProbability=0x1", status: 400 },
  { path: "/recommendation/%zz/ARTIST", status: 400 },
  { path: `/recommendation/${"9".repeat(500)}/ARTIST`, status: 400 },
  { path: "/recommendation/1", status: 404 },
  { path: "/recommendation/1/ARTIST/extra", status: 404 },
  { path: "/nothing-here", status: 404 },
  { method: "DELETE", path: "/events", status: 405 },
  { method: "PUT", path: "/profiles/1", status: 405 },
  { method: "PATCH", path: "/healthz", status: 405 },
  { method: "POST", path: "/events", body: "", type: "application/json", status: 400 },
  { method: "POST", path: "/events", body: "[{", type: "application/json", status: 400 },
  { method: "POST", path: "/events", body: '[{"__proto__":{"polluted":true}}]', type: "application/json", status: 400 },
  { method: "POST", path: "/events", body: new Blob([new Uint8Array([0, 159, 146, 150, 255, 1])]), type: "application/json", status: 400 },
  { method: "POST", path: "/events", body: new Blob([new Uint8Array([0, 159, 146, 150, 255, 1])]), type: "application/octet-stream", status: 415 },
  { method: "POST", path: "/events", body: "userId=1", type: "text/plain", status: 415 },
  { method: "POST", path: "/events", body: '{"userId":1}\nnot json', type: "application/x-ndjson", status: 400 },
  { method: "POST", path: "/events", body: '{"events":[]}', type: "application/json", status: 400 },
  { method: "POST", path: "/events", body: "null", type: "application/json", status: 400 },
  { method: "POST", path: "/events", body: "x".repeat(BODY_LIMIT + 1), type: "application/json", status: 413 },
];

describe("a battery of malformed requests", () => {
  it("answers each with its error status and a JSON error from the catalogue, and changes nothing", async () => {
    const statsBefore = suite.data.store.stats();
    const recommendationBefore = await getJson(`${suite.server.url}/recommendation/${user}/TRACK?seed=9`);
    for (const request of MALFORMED) {
      const response = await fetch(`${suite.server.url}${request.path}`, {
        method: request.method ?? "GET",
        body: request.body,
        headers: request.type ? { "content-type": request.type } : {},
      });
      const label = `${request.method ?? "GET"} ${request.path.slice(0, 60)}`;
      expect(response.status, label).toBe(request.status);
      const body = await response.json();
      expect(Object.keys(HTTP_ERRORS), label).toContain(body.error);
      expect(body.message, label).toEqual(expect.any(String));
    }
    expect({}).not.toHaveProperty("polluted");
    expect(suite.data.store.stats()).toEqual(statsBefore);
    expect(await getJson(`${suite.server.url}/recommendation/${user}/TRACK?seed=9`)).toEqual(recommendationBefore);
    expect(await getJson(`${suite.server.url}/healthz`)).toEqual({ status: 200, body: { status: "ok" } });
  });

  it("survives a request line that is not HTTP", async () => {
    const { port } = new URL(suite.server.url);
    const status = await new Promise<number | undefined>((resolve) => {
      const request = httpRequest({ port, path: "/healthz", method: "GET", headers: { "content-length": "-5" } });
      request.on("response", (response) => resolve(response.statusCode));
      request.on("error", () => resolve(undefined));
      request.end();
    });
    expect(status).toBe(400);
    expect((await getJson(`${suite.server.url}/healthz`)).status).toBe(200);
  });
});

async function post(body: string, contentType: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`${suite.server.url}/events`, { method: "POST", body, headers: { "content-type": contentType } });
  return { status: response.status, body: await response.json() };
}
