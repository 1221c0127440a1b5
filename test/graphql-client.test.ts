// ProfileClient against a real service on loopback, and its typed documents kept current.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DOCUMENTS_FILE, generateClientDocuments } from "../scripts/graphql-client.js";
import { ProfileClient } from "../src/client/index.js";
import { createGenerator } from "../src/ingest/generator.js";
import { ProfileStore } from "../src/index.js";
import { startGraphqlServer, type GraphqlServer } from "./helpers/graphql-server.js";

describe("ProfileClient", () => {
  let store: ProfileStore;
  let server: GraphqlServer;
  let client: ProfileClient;
  let user: number;
  beforeAll(async () => {
    const generator = createGenerator({ users: 30, artists: 200, events: 10_000, seed: 3 });
    store = await ProfileStore.create();
    for (const batch of generator.eventBatches()) store.ingest(batch);
    store.setNames("ARTIST", generator.catalogue.artists);
    store.setNames("ALBUM", generator.catalogue.albums.map(([id, name]) => [id, name] as const));
    store.setNames("TRACK", generator.catalogue.tracks.map(([id, name]) => [id, name] as const));
    server = await startGraphqlServer(store);
    client = new ProfileClient({ url: server.url });
    user = store.listeners({ order: "MOST_ACTIVE", limit: 1 })[0]!.userId;
  });
  afterAll(async () => {
    await client.close();
    await server.close();
  });

  it("reads a profile with charts and names, and null for an unknown listener", async () => {
    const profile = await client.getUserProfile(user);
    const { userId: _id, ...metrics } = store.profile(user)!;
    expect(profile).toMatchObject(metrics);
    expect(profile!.artistCharts.topK).toEqual(store.charts(user, "ARTIST").topK.map(({ id, countPlays, name }) => ({ id, countPlays, artist: { name } })));
    expect(await client.getUserProfile(987654321)).toBeNull();
  });

  it("recommends as the SDK does for a seed, and through the seed's query without one", async () => {
    const options = { walks: 300, walkLength: 10, seed: 5 };
    expect(await client.getRecommendations(user, "TRACK", options)).toEqual(store.recommend(user, "TRACK", options).recommendations);
    const unseeded = await client.getRecommendations(user, "ARTIST", { limit: 3 });
    expect(unseeded.length).toBeGreaterThan(0);
    for (const { id, name } of unseeded) expect(name).toBe(store.name("ARTIST", id));
  });

  it("searches the catalogue by name and reads the service status", async () => {
    const name = store.name("TRACK", store.charts(user, "TRACK").topK[0]!.id)!;
    expect(await client.searchItems("TRACK", name.slice(0, 3), 4)).toEqual(store.searchNames("TRACK", name.slice(0, 3), 4));
    const status = await client.serviceStatus();
    expect(status).toMatchObject({ ready: true, eventsAccepted: store.stats().events.accepted, listeners: store.stats().users, kafkaLag: null });
    expect(status.graphs.map((g) => g.field)).toEqual(["ARTIST", "ALBUM", "TRACK"]);
  });

  it("sends a play, lists listeners, and hears plays live", async () => {
    const heard: unknown[] = [];
    const stop = client.subscribe((event) => heard.push(event));
    await expect.poll(() => server.hub.stats().subscribers).toBe(1);
    const event = { userId: 55, artistId: 1, albumId: 2, trackId: 3, timestamp: Date.now() };
    expect(await client.sendListeningEvent(event)).toEqual(event);
    await expect.poll(() => heard.length).toBe(1);
    expect(heard[0]).toMatchObject({ ...event, album: null });
    expect((await client.listeners({ limit: 1 }))[0]).toMatchObject({ userId: 55, totalListenCount: 1 });
    stop();
    await expect.poll(() => server.hub.stats().subscribers).toBe(0);
  });
});

it("src/client/documents.ts is generated from the schema and the operations (npm run graphql:client)", async () => {
  expect(readFileSync(DOCUMENTS_FILE, "utf8")).toBe(await generateClientDocuments());
});
