// The live subscription over real WebSockets at /graphql-ws: both protocols receive the events posted
// to /events in order, with names; a subscriber that never reads holds up nothing and loses the oldest.
import { createClient } from "graphql-ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { ProfileStore, type ListeningEvent } from "../src/index.js";
import { startGraphqlServer, type GraphqlServer } from "./helpers/graphql-server.js";

const SUBSCRIPTION = "subscription { listeningEventUpdate { userId artist { name } album { name } track { name } timestamp } }";

const play = (i: number): ListeningEvent => ({ userId: 7, artistId: 10 + (i % 2), albumId: 100, trackId: 1000 + i, timestamp: 1_400_000_000_000 + i });

function expected(events: ListeningEvent[]) {
  return events.map((e) => ({
    userId: e.userId,
    artist: { name: e.artistId === 10 ? "Radiohead" : "Portishead" },
    album: { name: "OK Computer" },
    track: e.trackId === 1000 ? { name: "Airbag" } : null,
    timestamp: e.timestamp,
  }));
}

async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("listeningEventUpdate", () => {
  let store: ProfileStore;
  let server: GraphqlServer;
  const ws = () => server.url.replace("http", "ws") + "/graphql-ws";
  const post = (events: ListeningEvent[]) =>
    fetch(`${server.url}/events`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(events) });

  beforeAll(async () => {
    store = await ProfileStore.create();
    store.setNames("ARTIST", [[10, "Radiohead"], [11, "Portishead"]]);
    store.setNames("ALBUM", [[100, "OK Computer"]]);
    store.setNames("TRACK", [[1000, "Airbag"]]);
    server = await startGraphqlServer(store, { hub: { queueSize: 50 } });
  });
  afterAll(() => server.close());

  it("streams posted events in order over graphql-transport-ws", async () => {
    const client = createClient({ url: ws(), webSocketImpl: WebSocket, retryAttempts: 0 });
    const received: unknown[] = [];
    const subscribed = new Promise<void>((resolve, reject) => {
      const stop = client.subscribe({ query: SUBSCRIPTION }, { next: (value) => received.push(value.data?.listeningEventUpdate), error: reject, complete: () => undefined });
      void until(() => server.hub.stats().subscribers === 1, "the subscription").then(resolve, reject);
      void stop;
    });
    await subscribed;
    const events = Array.from({ length: 20 }, (_, i) => play(i));
    await post(events.slice(0, 10));
    await post(events.slice(10));
    await until(() => received.length === 20, "20 events");
    expect(received).toEqual(expected(events));
    await client.dispose();
    await until(() => server.hub.stats().subscribers === 0, "the subscription to end");
  });

  it("streams them over the legacy graphql-ws protocol the seed's dashboard speaks", async () => {
    const socket = new WebSocket(ws(), "graphql-ws");
    const messages: any[] = [];
    socket.on("message", (data) => messages.push(JSON.parse(String(data))));
    await new Promise((resolve) => socket.once("open", resolve));
    socket.send(JSON.stringify({ type: "connection_init", payload: {} }));
    await until(() => messages.some((m) => m.type === "connection_ack"), "connection_ack");
    socket.send(JSON.stringify({ id: "1", type: "start", payload: { query: SUBSCRIPTION } }));
    await until(() => server.hub.stats().subscribers === 1, "the subscription");
    const events = Array.from({ length: 5 }, (_, i) => play(i));
    await post(events);
    await until(() => messages.filter((m) => m.type === "data").length === 5, "5 events");
    expect(messages.filter((m) => m.type === "data").map((m) => m.payload.data.listeningEventUpdate)).toEqual(expected(events));
    socket.send(JSON.stringify({ id: "1", type: "stop" }));
    await until(() => server.hub.stats().subscribers === 0, "the subscription to stop");
    socket.close();
  });

  it("a subscriber that never reads neither slows ingest nor keeps more than its queue", async () => {
    const socket = new WebSocket(ws(), "graphql-transport-ws");
    await new Promise((resolve) => socket.once("open", resolve));
    socket.send(JSON.stringify({ type: "connection_init" }));
    await new Promise((resolve) => socket.once("message", resolve));
    socket.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query: SUBSCRIPTION } }));
    await until(() => server.hub.stats().subscribers === 1, "the subscription");
    // Stop reading: the kernel's buffers fill, then the server's sends wait, then its queue overflows.
    (socket as unknown as { _socket: { pause(): void } })._socket.pause();
    const batch = Array.from({ length: 10_000 }, (_, i) => play(i));
    const before = server.hub.stats();
    const started = performance.now();
    for (let i = 0; i < 20; i++) expect((await post(batch)).status).toBe(200);
    const withSubscriber = performance.now() - started;
    const after = server.hub.stats();
    expect(after.queued - before.queued).toBe(200_000);
    expect(after.dropped - before.dropped).toBeGreaterThan(150_000);
    // The same ingest with no subscriber, for comparison: within a generous factor.
    socket.terminate();
    await until(() => server.hub.stats().subscribers === 0, "the subscriber to go");
    const quiet = performance.now();
    for (let i = 0; i < 20; i++) await post(batch);
    const withoutSubscriber = performance.now() - quiet;
    expect(withSubscriber).toBeLessThan(5 * withoutSubscriber + 1000);
  });

  it("refuses subscribers beyond its cap", async () => {
    const small = await startGraphqlServer(store, { hub: { maxSubscribers: 1 } });
    try {
      const url = small.url.replace("http", "ws") + "/graphql-ws";
      const first = createClient({ url, webSocketImpl: WebSocket, retryAttempts: 0 });
      const second = createClient({ url, webSocketImpl: WebSocket, retryAttempts: 0 });
      first.subscribe({ query: SUBSCRIPTION }, { next: () => undefined, error: () => undefined, complete: () => undefined });
      await until(() => small.hub.stats().subscribers === 1, "the first subscription");
      const refused = await new Promise<unknown>((resolve) => {
        second.subscribe({ query: SUBSCRIPTION }, { next: () => undefined, error: resolve, complete: () => resolve("completed") });
      });
      expect(JSON.stringify(refused)).toContain("the service has its most subscribers (1)");
      await first.dispose();
      await second.dispose();
    } finally {
      await small.close();
    }
  });
});
