// Quick's @rest directive over real HTTP, and a user's own schema file checked at start.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { beforeAll, describe, expect, it } from "vitest";
import { planSchema, SchemaError } from "../src/graphql/directives.js";
import { readSchemaFile } from "../src/graphql/plugin.js";
import { javaDouble, restRequest } from "../src/graphql/rest.js";
import { topicNames } from "../src/graphql/topics.js";
import { ProfileStore } from "../src/index.js";
import { startGraphqlServer } from "./helpers/graphql-server.js";
import { runServeCli } from "./helpers/serve-process.js";

const RECS = "query($u: Long!){ getArtistRecommendations(userId: $u, walks: 10){ recommendations { id artist { name } } } getUserProfile(userId: $u){ totalListenCount } }";

async function smallStore(): Promise<ProfileStore> {
  const store = await ProfileStore.create();
  store.ingest([
    { userId: 1, artistId: 10, albumId: 100, trackId: 1000, timestamp: 5 },
    { userId: 2, artistId: 10, albumId: 100, trackId: 1000, timestamp: 6 },
    { userId: 2, artistId: 20, albumId: 200, trackId: 2000, timestamp: 7 },
  ]);
  store.setNames("ARTIST", [[10, "Radiohead"], [20, "Portishead"]]);
  return store;
}

/** A plain HTTP server that answers every request with `answer` (or never, for undefined), recording the URLs. */
async function fakeRecommender(answer: { status: number; body: string } | undefined) {
  const urls: string[] = [];
  const server: Server = createServer((request, response) => {
    urls.push(request.url!);
    if (answer) response.writeHead(answer.status, { "content-type": "application/json" }).end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    urls,
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

describe("Java toString forms", () => {
  it("prints doubles as Java does", () => {
    expect([0.1, 1, 1e-5, 0.001, 1e7, 123.5, 1.5e7, 0, 2.5e-4].map(javaDouble)).toEqual(["0.1", "1.0", "1.0E-5", "0.001", "1.0E7", "123.5", "1.5E7", "0.0", "2.5E-4"]);
  });

  it("builds the URL as Quick's gateway does: path segments in order, present query arguments only", async () => {
    const { schema, fields } = planSchema((await readSchemaFile()).source, topicNames());
    const plan = fields.find((f) => f.field === "getArtistRecommendations")!.plan as Extract<(typeof fields)[number]["plan"], { kind: "rest" }>;
    const args = schema.getQueryType()!.getFields().getArtistRecommendations!.args;
    const request = restRequest(plan, { userId: 32226961, field: "ALBUM", limit: 10, resetProbability: 1, walks: null }, args, {
      recommenderBase: () => "http://127.0.0.1:9",
      timeoutMs: 1,
    });
    expect(request).toEqual({ url: "http://127.0.0.1:9/recommendation/32226961/ALBUM?limit=10&resetProbability=1.0", method: "GET", body: undefined });
  });
});

describe("@rest", () => {
  let store: ProfileStore;
  beforeAll(async () => (store = await smallStore()));

  it("calls a second instance when the recommender is mapped there", async () => {
    const other = await startGraphqlServer(await smallStore());
    const server = await startGraphqlServer(store, { recommenderBase: other.url });
    try {
      const { body } = await server.query(RECS, { u: 1 });
      expect(body).toEqual({ data: { getArtistRecommendations: { recommendations: [{ id: 20, artist: { name: "Portishead" } }] }, getUserProfile: { totalListenCount: 1 } } });
      await other.close();
      // Stopped: the field is null with an error, and the rest of the query still answers.
      const stopped = await server.query(RECS, { u: 1 });
      expect(stopped.body.data).toEqual({ getArtistRecommendations: null, getUserProfile: { totalListenCount: 1 } });
      expect(stopped.body.errors).toEqual([expect.objectContaining({ message: "REST service could not be reached: ECONNREFUSED", path: ["getArtistRecommendations"] })]);
    } finally {
      await server.close();
    }
  });

  it.each([
    { status: 404, data: null, error: undefined },
    { status: 500, data: null, error: "REST service responded with code 500" },
  ])("answers $status as Quick does", async ({ status, data, error }) => {
    const fake = await fakeRecommender({ status, body: JSON.stringify({ error: "nope" }) });
    const server = await startGraphqlServer(store, { recommenderBase: fake.base });
    try {
      const { body } = await server.query(RECS, { u: 1 });
      expect(fake.urls).toEqual(["/recommendation/1/ARTIST?walks=10"]);
      expect(body.data).toEqual({ getArtistRecommendations: data, getUserProfile: { totalListenCount: 1 } });
      if (error) expect(body.errors).toEqual([expect.objectContaining({ message: error, extensions: expect.objectContaining({ status, body: { error: "nope" } }) })]);
      else expect(body.errors).toBeUndefined();
    } finally {
      await server.close();
      await fake.close();
    }
  });

  it("hides a fault behind 'internal error', never a stack trace", async () => {
    // A REST answer whose id is no Long: serializing it fails inside graphql-js.
    const fake = await fakeRecommender({ status: 200, body: JSON.stringify({ recommendations: [{ id: "not a number" }] }) });
    const server = await startGraphqlServer(store, { recommenderBase: fake.base });
    try {
      const { body } = await server.query("{ getArtistRecommendations(userId: 1){ recommendations { id } } }");
      expect(body.errors).toEqual([expect.objectContaining({ message: "internal error", extensions: { code: "INTERNAL" } })]);
      expect(JSON.stringify(body)).not.toMatch(/stack|\.ts:|at .*\(/);
    } finally {
      await server.close();
      await fake.close();
    }
  });

  it("gives up on a service that never answers, after the timeout", async () => {
    const fake = await fakeRecommender(undefined);
    const server = await startGraphqlServer(store, { recommenderBase: fake.base, restTimeoutMs: 300 });
    try {
      const { body } = await server.query(RECS, { u: 1 });
      expect(body.data.getUserProfile).toEqual({ totalListenCount: 1 });
      expect(body.errors[0].message).toBe("REST service did not answer within 0.3 s");
    } finally {
      await server.close();
      await fake.close();
    }
  });
});

describe("a user's schema", () => {
  const seed = async () => (await readSchemaFile()).source;

  it("serves renamed topics once they are configured, under either name", async () => {
    const source = (await seed()).replace('@topic(name: "counts"', '@topic(name: "listen-counts"');
    expect(() => planSchema(source, topicNames(), "schema my.gql")).toThrow(
      new SchemaError(
        'schema my.gql cannot be served:\n  UserProfile.totalListenCount: @topic(name: "listen-counts") names no topic; the topics are counts, firstlisten, lastlisten, topartists, topalbums, toptracks, artists, albums, tracks, listeningevents',
      ),
    );
    const server = await startGraphqlServer(await smallStore(), { schema: { source, origin: "schema my.gql" }, topics: { counts: "listen-counts" } });
    try {
      expect((await server.query("{ getUserProfile(userId: 2){ totalListenCount } }")).body).toEqual({ data: { getUserProfile: { totalListenCount: 2 } } });
    } finally {
      await server.close();
    }
  });

  it("is refused at start with every wrong directive named", async () => {
    const source = (await seed())
      .replace('artist: Item! @topic(name: "artists", keyField: "id")', 'artist: Item! @topic(name: "artists", keyField: "artistId")')
      .replace('@topic(name: "lastlisten", keyArgument: "userId")', '@topic(name: "lastlisten", keyArgument: "user")')
      .replace('queryParameter: ["limit", "walks", "walkLength", "resetProbability"])', 'queryParameter: ["limit", "walk"])');
    const store = await smallStore();
    await expect(startGraphqlServer(store, { schema: { source, origin: "schema broken.gql" } })).rejects.toThrow(
      [
        "schema broken.gql cannot be served:",
        '  Query.getArtistRecommendations: @rest queryParameter "walk" is not an argument of getArtistRecommendations; its arguments are userId, field, limit, walks, walkLength, resetProbability',
        '  UserProfile.lastListenEvent: keyArgument "user" is not an argument of lastListenEvent or of a Query field returning UserProfile; the arguments are userId',
        '  NamedArtistCount.artist: keyField "artistId" is not a field of NamedArtistCount; its fields are id, artist, countPlays',
      ].join("\n"),
    );
  });

  it("gets Quick's declarations when it does not declare them", async () => {
    const source = "type Query { count(userId: Long!): Long @topic(name: \"counts\", keyArgument: \"userId\") }";
    const server = await startGraphqlServer(await smallStore(), { schema: { source, origin: "schema quick.gql" } });
    try {
      expect((await server.query("{ count(userId: 2) missing: count(userId: 3) }")).body).toEqual({ data: { count: 2, missing: null } });
    } finally {
      await server.close();
    }
  });

  it("is refused when it is no GraphQL", () => {
    expect(() => planSchema("type Query {", topicNames(), "schema bad.gql")).toThrow(/^schema bad.gql is not a valid GraphQL schema: Syntax Error/);
  });
});


describe("serve --graphql-schema", () => {
  it("stops at start with the message when the schema's directives are wrong", async () => {
    const dir = await mkdtemp(join(tmpdir(), "schema-"));
    const file = join(dir, "broken.gql");
    await writeFile(file, (await readSchemaFile()).source.replace('keyField: "id")\n  countPlays', 'keyField: "artistId")\n  countPlays'));
    const result = runServeCli(["--graphql-schema", file, "--events", "100", "--port", "0", "--drain-seconds", "0"]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`profile-store serve: schema ${file} cannot be served:\n  NamedArtistCount.artist: keyField "artistId" is not a field of NamedArtistCount; its fields are id, artist, countPlays`);
    await rm(dir, { recursive: true });
  });
});
