// Bad input found by probing the service: each is refused with a catalogue error naming what is wrong,
// or applied as far as it is valid, and never answered with a 500.
import { describe, expect, it } from "vitest";
import { describe as describeValue } from "../src/errors.js";
import { serveEmptyStore } from "./helpers/http-server.js";

const event = (userId: number) => ({ userId, artistId: 1, albumId: 2, trackId: 3, timestamp: 1_400_000_000_000 });
const DEPTH = 10_000;
const deepArray = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;
const deepObject = (depth: number) => `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;

const served = serveEmptyStore();

async function post(body: string, contentType = "application/json", headers: Record<string, string> = {}) {
  const response = await fetch(`${served.server.url}/events`, { method: "POST", body, headers: { "content-type": contentType, ...headers } });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

describe("deeply nested JSON", () => {
  const valid = (userId: number) => JSON.stringify(event(userId));

  it("rejects a nested element and applies the valid events around it", async () => {
    const answer = await post(`[${valid(101)},${deepArray(DEPTH)},${valid(102)}]`);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ accepted: 2, rejected: 1, rejections: [{ index: 1, field: "event" }] });
    expect(answer.body.rejections[0].reason.length).toBeLessThan(200);
    expect(served.store.profile(101)?.totalListenCount).toBe(1);
    expect(served.store.profile(102)?.totalListenCount).toBe(1);
  });

  it("rejects an event whose id is a nested value", async () => {
    const nested = `{"userId":${deepObject(DEPTH)},"artistId":1,"albumId":2,"trackId":3,"timestamp":1400000000000}`;
    const answer = await post(`[${nested},${valid(103)}]`);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ accepted: 1, rejected: 1, rejections: [{ index: 0, field: "userId" }] });
  });

  it("rejects the same over NDJSON", async () => {
    const answer = await post(`${valid(104)}\n${deepArray(DEPTH)}\n${valid(105)}\n`, "application/x-ndjson");
    expect(answer.body).toMatchObject({ accepted: 2, rejected: 1, rejections: [{ index: 1, field: "event" }] });
  });

  it("answers 400 for a nested body that is no array", async () => {
    const answer = await post(deepObject(DEPTH));
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: "invalid_parameter", parameter: "body" });
    expect(JSON.stringify(answer.body).length).toBeLessThan(500);
  });

  it("answers a nested array body with one rejection", async () => {
    const answer = await post(deepArray(DEPTH));
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ accepted: 0, rejected: 1, rejections: [{ index: 0, field: "event" }] });
  });
});

describe("describe() of a value in a message", () => {
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = cyclic;
  const wide = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`key${i}`, i]));
  const hostile = new Proxy({}, { getPrototypeOf: () => { throw new Error("trap"); } });
  const values: Array<[string, unknown]> = [
    ["a deep array", JSON.parse(deepArray(DEPTH))],
    ["a deep object", JSON.parse(deepObject(DEPTH))],
    ["a cyclic object", cyclic],
    ["a wide object", wide],
    ["a long array", new Array(1_000_000).fill(7)],
    ["a long string", "x".repeat(1_000_000)],
    ["a BigInt", 10n ** 100n],
    ["a symbol", Symbol("s")],
    ["a function", function listen() {}],
    ["a Proxy that throws", hostile],
    ["an object without prototype", Object.create(null)],
  ];
  it.each(values)("%s: short, without throwing", (_label, value) => {
    const text = describeValue(value);
    expect(text.length).toBeGreaterThan(0);
    expect(text.length).toBeLessThanOrEqual(100);
  });

  it("reads as JSON for small data and marks what it leaves out", () => {
    expect(describeValue("noon")).toBe('"noon"');
    expect(describeValue(-1)).toBe("-1");
    expect(describeValue(undefined)).toBe("undefined");
    expect(describeValue(5n)).toBe("5n");
    expect(describeValue({ userId: 1, tags: ["a"] })).toBe('{"userId":1,"tags":["a"]}');
    expect(describeValue(cyclic)).toBe('{"a":1,"self":{"a":1,"self":{"a":1,"self":{…}}}}');
    expect(describeValue(new Array(100).fill(1))).toMatch(/^\[1,1,.*…$/);
    expect(describeValue(new Date(0))).toBe("a Date");
  });
});

async function get(path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${served.server.url}${path}`, { headers });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: response.headers.get("content-type")?.includes("json") ? JSON.parse(text) : text };
}

describe("integer parameters are digits only, as Java prints an int or long", () => {
  const places: Array<[parameter: string, path: (value: string) => string]> = [
    ["limit", (v) => `/recommendation/1/ARTIST?limit=${v}`],
    ["walks", (v) => `/recommendation/1/ARTIST?walks=${v}`],
    ["walkLength", (v) => `/recommendation/1/ARTIST?walkLength=${v}`],
    ["seed", (v) => `/recommendation/1/ARTIST?seed=${v}`],
    ["k", (v) => `/charts/1/ARTIST?k=${v}`],
    ["userId", (v) => `/recommendation/${v}/ARTIST`],
    ["id", (v) => `/items/ARTIST/${v}`],
  ];
  const cases = places.flatMap(([parameter, path]) => ["+5", "5.", "1e3", "5.0"].map((value) => [parameter, value, path(encodeURIComponent(value))] as const));
  it.each(cases)("%s=%s is refused", async (parameter, value, path) => {
    const answer = await get(path);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: "invalid_parameter", parameter, value });
  });

  it.each(["0.1", "1.0", "1.0E-5", "1E-5", "0", "1", ".5", "0.5e0"])("resetProbability=%s keeps Java's double forms", async (value) => {
    expect((await get(`/recommendation/1/ARTIST?resetProbability=${value}`)).status).toBe(200);
  });

  it.each(["+0.5", "0x1", " 0.5"])("resetProbability=%s is refused", async (value) => {
    const answer = await get(`/recommendation/1/ARTIST?resetProbability=${encodeURIComponent(value)}`);
    expect(answer.body).toMatchObject({ error: "invalid_parameter", parameter: "resetProbability", value });
  });
});

describe("field names fold ASCII case only", () => {
  it.each(["artiſt", "artıst", "ARTİST", "ａｒｔｉｓｔ"])("%s is no ARTIST", async (field) => {
    for (const path of [`/recommendation/1/${field}`, `/charts/1/${field}`, `/items/${field}/1`]) {
      const answer = await get(path.replace(field, encodeURIComponent(field)));
      expect(answer.status, path).toBe(400);
      expect(answer.body, path).toMatchObject({ error: "invalid_parameter", parameter: "field", value: field });
    }
  });

  it("takes any ASCII case", async () => {
    expect((await get("/recommendation/1/aRtIsT")).status).toBe(200);
    expect((await get("/items/tRaCk/1")).body).toMatchObject({ error: "item_not_found" });
  });
});

describe("unknown query parameters are refused on every route", () => {
  it.each(["/profiles/1", "/items/ARTIST/1", "/healthz", "/readyz", "/metrics", "/charts/1/ARTIST", "/recommendation/1/ARTIST"])(
    "%s?verbose=1",
    async (path) => {
      const answer = await get(`${path}?verbose=1`);
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ error: "invalid_parameter", parameter: "verbose", value: "1" });
    },
  );
});

describe("a __proto__ key", () => {
  const poisoned: Array<[label: string, json: string, key: string]> = [
    ["__proto__", '{"__proto__":{"polluted":true},"userId":1}', '"__proto__"'],
    ["__proto__ spelt with escapes", '{"\\u005f_proto__":{"polluted":true}}', '"__proto__"'],
    ["__proto__ nested in a value", '{"userId":{"x":[{"__proto__":{}}]}}', '"__proto__"'],
    ["constructor.prototype", '{"constructor":{"prototype":{"polluted":true}}}', '"constructor.prototype"'],
  ];
  it.each(poisoned)("%s is refused alike in JSON and NDJSON, naming the key", async (_label, json, key) => {
    const asJson = await post(`[${JSON.stringify(event(201))},${json}]`);
    expect(asJson.status).toBe(400);
    expect(asJson.body).toEqual({ error: "invalid_body", message: `the body has a ${key} key, which could change object prototypes` });
    const asNdjson = await post(`${JSON.stringify(event(201))}\n${json}\n`, "application/x-ndjson");
    expect(asNdjson.status).toBe(400);
    expect(asNdjson.body).toEqual({ error: "invalid_body", message: `line 2 of the NDJSON body has a ${key} key, which could change object prototypes` });
    expect(served.store.profile(201)).toBeUndefined();
    expect({}).not.toHaveProperty("polluted");
  });

  it("is not mistaken for a name that merely contains it", async () => {
    const answer = await post(`[${JSON.stringify({ ...event(202), note: "__proto__ constructor" })}]`);
    expect(answer.body).toMatchObject({ accepted: 1, rejected: 0 });
  });

  it("says where JSON is broken, in either content type", async () => {
    expect((await post("[{")).body).toEqual({ error: "invalid_body", message: expect.stringMatching(/^the body is not valid JSON: .+/) });
    expect((await post("")).body).toEqual({ error: "invalid_body", message: "the body is empty" });
    const ndjson = await post(`${JSON.stringify(event(203))}\nnot json`, "application/x-ndjson");
    expect(ndjson.body).toEqual({ error: "invalid_body", message: expect.stringMatching(/^line 2 of the NDJSON body is not valid JSON: .+/) });
  });
});

describe("a compressed body", () => {
  it.each(["gzip", "deflate", "br", "GZIP", "gzip, identity"])("Content-Encoding: %s is refused with 415 naming it", async (coding) => {
    const answer = await post(JSON.stringify([event(301)]), "application/json", { "content-encoding": coding });
    expect(answer.status).toBe(415);
    expect(answer.body).toEqual({ error: "unsupported_media_type", message: `Content-Encoding "${coding}" is not accepted: send the body uncompressed` });
    expect(answer.headers.get("accept-encoding")).toBe("identity");
    expect(served.store.profile(301)).toBeUndefined();
  });

  it("Content-Encoding: identity is read as plain", async () => {
    const answer = await post(JSON.stringify([event(302)]), "application/json", { "content-encoding": "identity" });
    expect(answer.body).toMatchObject({ accepted: 1 });
  });
});

describe("a method a path does not have", () => {
  const cases: Array<[method: string, path: string, allow: string]> = [
    ["PUT", "/profiles/1", "GET, HEAD"],
    ["DELETE", "/profiles/1", "GET, HEAD"],
    ["PATCH", "/recommendation/1/ARTIST?limit=3", "GET, HEAD"],
    ["DELETE", "/events", "POST"],
    ["GET", "/events", "POST"],
    ["PUT", "/events", "POST"],
    ["POST", "/healthz", "GET, HEAD"],
    ["OPTIONS", "/metrics", "GET, HEAD"],
  ];
  it.each(cases)("%s %s answers 405 with Allow: %s", async (method, path, allow) => {
    const response = await fetch(`${served.server.url}${path}`, { method });
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe(allow);
    expect(await response.json()).toEqual({ error: "method_not_allowed", message: `${method} is not allowed on ${path.split("?")[0]}; allowed: ${allow}` });
  });

  it.each(["/profiles", "/profiles/1/2", "/nothing", "/events/1"])("an unknown path %s stays 404 for any method", async (path) => {
    for (const method of ["GET", "PUT", "DELETE"]) {
      const response = await fetch(`${served.server.url}${path}`, { method });
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(await response.json()).toMatchObject({ error: "route_not_found" });
    }
  });
});
