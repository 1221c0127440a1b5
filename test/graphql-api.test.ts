// The seed's GraphQL API on a real server over loopback: the seed frontend's queries verbatim, the
// mutation, Quick's directive semantics, limits and errors. Answers must equal the SDK's.
import { once } from "node:events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { createGenerator } from "../src/ingest/generator.js";
import { ProfileClient } from "../src/client/index.js";
import { ProfileStore, type Field } from "../src/index.js";
import { startGraphqlServer, type GraphqlServer } from "./helpers/graphql-server.js";
import { startTestService } from "./helpers/http-server.js";

const DATA = { users: 60, artists: 300, events: 20_000, seed: 7 };

async function generatedStore(chartSize = 10): Promise<{ store: ProfileStore; users: number[] }> {
  const generator = createGenerator(DATA);
  const store = await ProfileStore.create({ chartSize });
  const users = new Set<number>();
  for (const batch of generator.eventBatches(DATA.events)) {
    store.ingest(batch);
    for (const id of batch.userId) users.add(id);
  }
  const { artists, albums, tracks } = generator.catalogue;
  store.setNames("ARTIST", artists);
  store.setNames("ALBUM", albums.map(([id, name]) => [id, name] as const));
  store.setNames("TRACK", tracks.map(([id, name]) => [id, name] as const));
  return { store, users: [...users] };
}

const KINDS = [
  { field: "ARTIST", charts: "artistCharts", item: "artist" },
  { field: "ALBUM", charts: "albumCharts", item: "album" },
  { field: "TRACK", charts: "trackCharts", item: "track" },
] as const;

describe("the seed frontend's queries", () => {
  let store: ProfileStore;
  let users: number[];
  let server: GraphqlServer;
  beforeAll(async () => {
    ({ store, users } = await generatedStore());
    server = await startGraphqlServer(store);
  });
  afterAll(() => server.close());

  it("does the user exist: totalListenCount, or null for an unknown user", async () => {
    const query = "query($user_id: Long!){ getUserProfile(userId: $user_id){ totalListenCount } }";
    const known = await server.query(query, { user_id: users[0] });
    expect(known).toEqual({ status: 200, body: { data: { getUserProfile: { totalListenCount: store.profile(users[0]!)!.totalListenCount } } } });
    const unknown = await server.query(query, { user_id: 123456789 });
    expect(unknown.body.data).toEqual({ getUserProfile: null });
    expect(unknown.body.errors[0]).toMatchObject({ path: ["getUserProfile", "totalListenCount"], extensions: { code: "NOT_FOUND", topic: "counts" } });
    // A numeric string is a Long too, as Quick accepts it.
    expect((await server.query(query, { user_id: String(users[0]) })).body.data.getUserProfile.totalListenCount).toBeGreaterThan(0);
  });

  it.each(KINDS)("the $field chart with names equals the SDK's", async ({ field, charts, item }) => {
    const query = `query($user_id: Long!){ getUserProfile(userId: $user_id){ ${charts} { topK { countPlays ${item} { id name } } } } }`;
    for (const user of users.slice(0, 5)) {
      const { body } = await server.query(query, { user_id: user });
      const expected = store.charts(user, field).topK.map(({ id, countPlays, name }) => ({ countPlays, [item]: { id, name } }));
      expect(body).toEqual({ data: { getUserProfile: { [charts]: { topK: expected } } } });
    }
  });

  it("recommends artists with names through the @rest hop", async () => {
    const query = "query($user_id: Long!){ getArtistRecommendations(userId: $user_id, field: ARTIST){ recommendations { id artist { name } } } }";
    const { body } = await server.query(query, { user_id: users[0] });
    const recommendations = body.data.getArtistRecommendations.recommendations;
    expect(recommendations.length).toBeGreaterThan(0);
    for (const { id, artist } of recommendations) expect(artist.name).toBe(store.name("ARTIST", id));
  });

  it.each(["ARTIST", "ALBUM", "TRACK"] as Field[])("getRecommendations with a seed equals the SDK's for %s, names from the field's catalogue", async (field) => {
    const query = `query($u: Long!, $f: FieldType!){ getRecommendations(userId: $u, field: $f, walks: 500, walkLength: 20, resetProbability: 0.15, seed: 42, popularityPenalty: 0.5){ recommendations { id score item { id name } } } }`;
    const { body } = await server.query(query, { u: users[1], f: field });
    const expected = store.recommend(users[1]!, field, { walks: 500, walkLength: 20, resetProbability: 0.15, seed: 42, popularityPenalty: 0.5 });
    expect(body.data.getRecommendations.recommendations).toEqual(
      expected.recommendations.map(({ id, score, name }) => ({ id, score, item: { id, name } })),
    );
  });

  it("the mutation ingests the event and returns it; the profile shows it", async () => {
    const event = { userId: 424242, artistId: 1, albumId: 2, trackId: 3, timestamp: 1_400_000_000_000 };
    const mutation = `mutation($id: Long!, $e: ListeningEventInput!){ sendListeningEvent(userId: $id, event: $e){ userId artistId timestamp } }`;
    const sent = await server.query(mutation, { id: event.userId, e: event });
    expect(sent.body).toEqual({ data: { sendListeningEvent: { userId: 424242, artistId: 1, timestamp: 1_400_000_000_000 } } });
    expect(store.profile(424242)).toMatchObject({ totalListenCount: 1, firstListenEvent: 1_400_000_000_000 });
    // A Long, but microseconds: the SDK's validator refuses it, with its own words.
    const bad = await server.query(mutation, { id: 1, e: { ...event, timestamp: 1_400_000_000_000_000 } });
    expect(bad.body.errors[0].message).toBe("event.timestamp must be epoch milliseconds from 1970 to the year 9999, got 1400000000000000");
  });

  it("lists listeners by latest play and by play count", async () => {
    const { body } = await server.query("{ recent: listeners(limit: 3) { userId lastListenEvent } active: listeners(limit: 3, order: MOST_ACTIVE) { userId totalListenCount } }");
    expect(body.data.recent).toEqual(store.listeners({ limit: 3 }).map(({ userId, lastListenEvent }) => ({ userId, lastListenEvent })));
    expect(body.data.active).toEqual(store.listeners({ limit: 3, order: "MOST_ACTIVE" }).map(({ userId, totalListenCount }) => ({ userId, totalListenCount })));
    const tooMany = await server.query("{ listeners(limit: 1000) { userId } }");
    expect(tooMany.body.errors[0]).toMatchObject({ message: "limit must be an integer between 1 and 100, got 1000", extensions: { argument: "limit" } });
  });

  it("names the argument of a bad Long, and refuses negative ids", async () => {
    const literal = await server.query("{ getUserProfile(userId: -1){ totalListenCount } }");
    expect(literal.status).toBe(400);
    expect(literal.body.errors).toEqual([expect.objectContaining({ message: "argument userId must be an integer from 0 to 2^53-1 (a number or a string of digits), got -1" })]);
    const variable = await server.query("query($u: Long!){ getUserProfile(userId: $u){ totalListenCount } }", { u: 2 ** 53 });
    expect(variable.body.errors[0].message).toBe(
      'Variable "$u" got invalid value 9007199254740992; Expected type "Long". Long must be an integer from 0 to 2^53-1 (a number or a string of digits), got 9007199254740992',
    );
  });

  it("bounds a query's depth, fields and REST calls with clear errors", async () => {
    const recs = Array.from({ length: 11 }, (_, i) => `r${i}: getArtistRecommendations(userId: 1){ recommendations { id } }`).join(" ");
    const tooManyCalls = await server.query(`{ ${recs} }`);
    expect(tooManyCalls.status).toBe(400);
    expect(tooManyCalls.body.errors[0].message).toBe("the query makes 11 recommendation (REST) calls; at most 10 are allowed");
    const fields = Array.from({ length: 501 }, (_, i) => `f${i}: __typename`).join(" ");
    expect((await server.query(`{ ${fields} }`)).body.errors[0].message).toBe("the query selects 501 fields; at most 500 are allowed");
    const deep = `{ __schema { types { fields { type ${"{ ofType ".repeat(12)}{ name }${" }".repeat(12)} } } } }`;
    const tooDeep = await server.query(deep);
    expect(tooDeep.status).toBe(400);
    expect(tooDeep.body.errors[0].message).toMatch(/exceeds the query depth limit of 12/);
  });

  it("answers GET /graphql?query= too", async () => {
    const response = await fetch(`${server.url}/graphql?query=${encodeURIComponent("{ listeners(limit: 1) { userId } }")}`);
    expect(await response.json()).toEqual({ data: { listeners: [{ userId: store.listeners({ limit: 1 })[0]!.userId }] } });
  });
});

describe("keyField lookups", () => {
  it("a profile of 30 chart entries per field makes one batch per topic", async () => {
    const { store, users } = await generatedStore(30);
    const batches: Array<[string, number]> = [];
    const server = await startGraphqlServer(store, { onBatch: (topic, keys) => batches.push([topic, keys]) });
    try {
      const user = users.find((id) => KINDS.every(({ field }) => store.charts(id, field).topK.length === 30))!;
      const parts = KINDS.map(({ charts, item }) => `${charts} { topK { countPlays ${item} { name } } }`).join(" ");
      const { body } = await server.query(`query($u: Long!){ getUserProfile(userId: $u){ ${parts} } }`, { u: user });
      expect(body.data.getUserProfile.trackCharts.topK).toHaveLength(30);
      expect(batches.sort()).toEqual([["albums", 30], ["artists", 30], ["tracks", 30]]);
    } finally {
      await server.close();
    }
  });
});

describe("with an API key", () => {
  const MUTATION = `mutation { sendListeningEvent(userId: 5, event: {userId: 5, artistId: 1, albumId: 1, trackId: 1, timestamp: 1400000000000}) { userId } }`;
  const post = (url: string, query: string, key?: string) =>
    fetch(`${url}/graphql`, { method: "POST", headers: { "content-type": "application/json", ...(key ? { "x-api-key": key } : {}) }, body: JSON.stringify({ query }) }).then(
      async (response) => ({ status: response.status, body: await response.json() }),
    );

  it("mutations need the key, queries do not; with reads protected every operation does, and @rest still reaches the service", async () => {
    const { store, users } = await generatedStore();
    for (const forReads of [false, true]) {
      const service = await startTestService({ kind: "store", store }, { server: { apiKey: "s3cret", apiKeyForReads: forReads } });
      try {
        const refused = await post(service.url, MUTATION);
        expect(refused.body.errors[0]).toMatchObject({ message: "this request needs the service's API key in the X-API-Key header", extensions: { code: "UNAUTHORIZED" } });
        expect((await post(service.url, MUTATION, "wrong")).body.errors[0].message).toBe("the X-API-Key header does not hold the service's API key");
        expect((await post(service.url, MUTATION, "s3cret")).body).toEqual({ data: { sendListeningEvent: { userId: 5 } } });
        const recs = `{ getArtistRecommendations(userId: ${users[0]}, walks: 50){ recommendations { id } } }`;
        const open = await post(service.url, recs);
        if (forReads) expect(open.body.errors[0].extensions.code).toBe("UNAUTHORIZED");
        else expect(open.body.data.getArtistRecommendations.recommendations.length).toBeGreaterThan(0);
        const keyed = await post(service.url, recs, "s3cret");
        expect(keyed.body.errors).toBeUndefined();
        expect(keyed.body.data.getArtistRecommendations.recommendations.length).toBeGreaterThan(0);
        if (forReads) {
          // A WebSocket upgrade without the key is refused as any read is, with 401.
          const socket = new WebSocket(`${service.url.replace("http", "ws")}/graphql`, "graphql-transport-ws");
          socket.on("error", () => undefined); // the refused upgrade, once the request is dropped below
          const [request, response] = (await once(socket, "unexpected-response")) as [{ destroy(): void }, { statusCode: number }];
          expect(response.statusCode).toBe(401);
          request.destroy();
        }
        // The client's live events with the key, also where reads need it.
        const client = new ProfileClient({ url: service.url, apiKey: "s3cret" });
        try {
          const heard = new Promise<unknown>((resolve, reject) => client.subscribe(resolve, reject));
          await expect.poll(() => service.hub!.stats().subscribers, { timeout: 10_000 }).toBe(1);
          store.ingest([{ userId: 6, artistId: 1, albumId: 1, trackId: 1, timestamp: 1_400_000_000_000 }]);
          expect(await heard).toMatchObject({ userId: 6 });
        } finally {
          await client.close();
        }
      } finally {
        await service.close();
      }
    }
  });
});

describe("profile-store's catalogue search and service status", () => {
  let store: ProfileStore;
  let server: GraphqlServer;
  let health = { ready: true, kafkaLag: undefined as number | undefined };
  beforeAll(async () => {
    ({ store } = await generatedStore());
    server = await startGraphqlServer(store, { status: () => health });
  });
  afterAll(() => server.close());

  it.each(["ARTIST", "ALBUM", "TRACK"] as Field[])("searchItems equals store.searchNames for %s", async (field) => {
    const { artists, albums, tracks } = createGenerator(DATA).catalogue;
    const [, name] = { ARTIST: artists, ALBUM: albums, TRACK: tracks }[field][3]!;
    const text = name.slice(1, 4).toUpperCase();
    const { body } = await server.query("query($f: FieldType!, $t: String!){ searchItems(field: $f, text: $t, limit: 5){ id name } }", { f: field, t: text });
    expect(body.data.searchItems).toEqual(store.searchNames(field, text, 5));
    expect(body.data.searchItems.length).toBeGreaterThan(0);
  });

  it("refuses a search text too short and a limit too high, naming them", async () => {
    const short = await server.query('{ searchItems(field: TRACK, text: "a"){ id } }');
    expect(short.body.errors[0]).toMatchObject({ message: 'text must be a string of 2 to 100 characters, got "a"', extensions: { code: "INVALID_ARGUMENT", argument: "text" } });
    const many = await server.query('{ searchItems(field: TRACK, text: "ab", limit: 51){ id } }');
    expect(many.body.errors[0]).toMatchObject({ message: "limit must be an integer between 1 and 50, got 51", extensions: { argument: "limit" } });
  });

  it("serviceStatus reports the store's counts and graph sizes, readiness and Kafka lag", async () => {
    const query = "{ serviceStatus { ready eventsAccepted eventsRejected listeners kafkaLag graphs { field items edges } } }";
    const stats = store.stats();
    expect((await server.query(query)).body.data.serviceStatus).toEqual({
      ready: true,
      eventsAccepted: stats.events.accepted,
      eventsRejected: 0,
      listeners: stats.users,
      kafkaLag: null,
      graphs: (["ARTIST", "ALBUM", "TRACK"] as Field[]).map((field) => ({ field, items: stats.fields[field].items, edges: stats.fields[field].edges })),
    });
    await fetch(`${server.url}/events`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify([{ userId: 1, artistId: 1, albumId: 1, trackId: 1, timestamp: 1_400_000_000_000 }, { userId: -1 }]),
    });
    health = { ready: false, kafkaLag: 1234 };
    expect((await server.query("{ serviceStatus { ready eventsAccepted eventsRejected kafkaLag } }")).body.data.serviceStatus).toEqual({
      ready: false,
      eventsAccepted: stats.events.accepted + 1,
      eventsRejected: 1,
      kafkaLag: 1234,
    });
  });
});
