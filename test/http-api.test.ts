// The routes over a real loopback server and fetch: shapes, names, ingest, health and metrics.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ProfileStore } from "../src/index.js";
import { getJson, serveGeneratedStore, startServer, type RunningServer } from "./helpers/http-server.js";

const suite = serveGeneratedStore();

describe("GET /recommendation/:userId/:field", () => {
  it("answers the SDK's recommendations with names, best first", async () => {
    const user = suite.data.users[0]!;
    const { status, body } = await getJson(`${suite.server.url}/recommendation/${user}/ARTIST?seed=5`);
    expect(status).toBe(200);
    expect(body).toEqual(suite.data.store.recommend(user, "ARTIST", { seed: 5 }));
    expect(body.recommendations).toHaveLength(10);
    for (const { id, name } of body.recommendations) expect(name).toBe(suite.data.store.name("ARTIST", id));
  });

  it("gives an unknown user 200 and an empty list", async () => {
    expect(await getJson(`${suite.server.url}/recommendation/123456789/TRACK`)).toEqual({ status: 200, body: { recommendations: [] } });
  });

  it("takes limit, and the field in any case", async () => {
    const { body } = await getJson(`${suite.server.url}/recommendation/${suite.data.users[1]}/album?limit=3&seed=1`);
    expect(body).toEqual(suite.data.store.recommend(suite.data.users[1]!, "ALBUM", { limit: 3, seed: 1 }));
    expect(body.recommendations).toHaveLength(3);
  });
});

describe("GET /profiles/:userId", () => {
  it("answers metrics and three named charts in the shape of the seed's UserProfile", async () => {
    const user = suite.data.users[2]!;
    const { status, body } = await getJson(`${suite.server.url}/profiles/${user}`);
    expect(status).toBe(200);
    const profile = suite.data.store.profile(user)!;
    expect(body).toEqual({
      ...profile,
      artistCharts: suite.data.store.charts(user, "ARTIST"),
      albumCharts: suite.data.store.charts(user, "ALBUM"),
      trackCharts: suite.data.store.charts(user, "TRACK"),
    });
    expect(body.artistCharts.topK[0]).toEqual({
      id: expect.any(Number),
      countPlays: expect.any(Number),
      name: suite.data.store.name("ARTIST", body.artistCharts.topK[0].id),
    });
  });

  it("answers 404 with a JSON error for an unknown user", async () => {
    const { status, body } = await getJson(`${suite.server.url}/profiles/424242`);
    expect(status).toBe(404);
    expect(body).toEqual({ error: "user_not_found", message: "no events of user 424242 have been seen" });
  });
});

describe("GET /charts/:userId/:field and /items/:field/:id", () => {
  it("answers the top k with names", async () => {
    const user = suite.data.users[0]!;
    const { status, body } = await getJson(`${suite.server.url}/charts/${user}/track?k=3`);
    expect(status).toBe(200);
    expect(body).toEqual(suite.data.store.charts(user, "TRACK", 3));
    expect(body.topK).toHaveLength(3);
  });

  it("answers 404 for an unknown user", async () => {
    expect((await getJson(`${suite.server.url}/charts/424242/ARTIST`)).status).toBe(404);
  });

  it("looks names up, and answers 404 for an unknown item", async () => {
    const [id, name] = suite.data.generator.catalogue.tracks[3]!;
    expect(await getJson(`${suite.server.url}/items/TRACK/${id}`)).toEqual({ status: 200, body: { field: "TRACK", id, name } });
    const missing = await getJson(`${suite.server.url}/items/artist/0`);
    expect(missing).toEqual({ status: 404, body: { error: "item_not_found", message: "no name is known for ARTIST 0" } });
  });
});

describe("POST /events", () => {
  const event = (userId: number, artistId: number) => ({ userId, artistId, albumId: 1, trackId: 2, timestamp: 1_400_000_000_000 });
  let store: ProfileStore;
  let events: RunningServer;

  beforeAll(async () => {
    store = await ProfileStore.create();
    events = await startServer(store);
  });
  afterAll(() => events.close());

  const post = async (body: string, contentType: string) => {
    const response = await fetch(`${events.url}/events`, { method: "POST", body, headers: { "content-type": contentType } });
    return { status: response.status, body: await response.json() };
  };

  it("applies a JSON array and reports each bad event with its position and reason", async () => {
    const body = [event(1, 10), { ...event(1, 11), userId: -1 }, "nonsense", { ...event(1, 12), timestamp: "noon" }, event(2, 10)];
    const answer = await post(JSON.stringify(body), "application/json");
    expect(answer).toEqual({
      status: 200,
      body: {
        accepted: 2,
        rejected: 3,
        rejections: [
          { index: 1, field: "userId", reason: "userId must be an integer between 0 and 2^53-1, got -1" },
          { index: 2, field: "event", reason: 'event must be an object, got "nonsense"' },
          { index: 3, field: "timestamp", reason: 'timestamp must be epoch milliseconds from 1970 to the year 9999, got "noon"' },
        ],
        rejectedBy: { userId: 1, event: 1, timestamp: 1 },
      },
    });
    expect(store.profile(1)?.totalListenCount).toBe(1);
    expect(store.profile(2)?.totalListenCount).toBe(1);
  });

  it("applies NDJSON, skipping blank lines", async () => {
    const answer = await post(`${JSON.stringify(event(3, 10))}\n\n${JSON.stringify(event(3, 11))}\n`, "application/x-ndjson");
    expect(answer).toEqual({ status: 200, body: { accepted: 2, rejected: 0, rejections: [], rejectedBy: {} } });
    expect(store.charts(3, "ARTIST").topK.map((entry) => entry.id)).toEqual([10, 11]);
  });

  it("refuses an unsafe integer id, which JSON would round to another id", async () => {
    const answer = await post(`[{"userId":9007199254740993,"artistId":1,"albumId":1,"trackId":1,"timestamp":1}]`, "application/json");
    expect(answer.body).toMatchObject({ accepted: 0, rejected: 1, rejections: [{ index: 0, field: "userId" }] });
  });

  it("counts events by source and rejections by reason in /metrics", async () => {
    const text = await (await fetch(`${events.url}/metrics`)).text();
    expect(text).toContain('profile_store_events_ingested_total{source="http"} 4');
    expect(text).toContain('profile_store_events_rejected_total{source="http",reason="userId"} 2');
    expect(text).toContain('profile_store_events_rejected_total{source="http",reason="timestamp"} 1');
  });
});

describe("operations", () => {
  it("answers /healthz", async () => {
    expect(await getJson(`${suite.server.url}/healthz`)).toEqual({ status: 200, body: { status: "ok" } });
  });

  it("answers /readyz with 503 while loading, 200 when ready, 503 while the source has a problem or shutting down", async () => {
    const loading = await startServer(await ProfileStore.create());
    const { readiness } = loading.service;
    readiness.state = "loading";
    expect(await getJson(`${loading.url}/readyz`)).toEqual({ status: 503, body: { error: "not_ready", message: "data is still loading" } });
    readiness.state = "ready";
    expect(await getJson(`${loading.url}/readyz`)).toEqual({ status: 200, body: { status: "ready" } });
    let problem: string | undefined = "Kafka at 127.0.0.1:1 does not answer";
    readiness.sourceProblem = () => problem;
    expect(await getJson(`${loading.url}/readyz`)).toEqual({ status: 503, body: { error: "not_ready", message: problem } });
    problem = undefined;
    expect(await getJson(`${loading.url}/readyz`)).toEqual({ status: 200, body: { status: "ready" } });
    await loading.close();
    expect(readiness.state).toBe("stopping");
  });

  it("exposes Prometheus metrics: request latency, graph sizes, engine memory", async () => {
    await fetch(`${suite.server.url}/recommendation/${suite.data.users[0]}/ARTIST`);
    const response = await fetch(`${suite.server.url}/metrics`);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(text).toMatch(/profile_store_http_request_duration_seconds_count\{method="GET",route="\/recommendation\/:userId\/:field",status_code="200"\} \d+/);
    const stats = suite.data.store.stats();
    expect(text).toContain(`profile_store_users ${stats.users}`);
    expect(text).toContain(`profile_store_graph_edges{field="TRACK"} ${stats.fields.TRACK.edges}`);
    expect(text).toContain(`profile_store_engine_memory_bytes{engine="wasm"} ${stats.totalBytes}`);
    expect(text).toContain("profile_store_process_cpu_seconds_total");
  });
});
