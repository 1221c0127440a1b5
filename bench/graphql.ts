// GraphQL benchmark: the seed's queries over POST /graphql beside the REST routes that answer the same,
// on the embedded demo's data (1,000 listeners, 5,000 artists, names for everything).
//   node dist/bench/graphql.js [--events 1000000] [--seconds 20] [--rounds 10] [--connections 10]
//
// One service (the service module, as `serve` starts it, one walker thread), one autocannon child
// process for the whole run (bench/load.ts). REST and GraphQL rounds alternate, and each GraphQL round
// is compared with the REST round just before it, so that the machine's slow spells weigh on both.
// Rates are the server's own count of the route's responses (a GraphQL recommendation also makes a
// REST call to the service itself: that one is not counted).
import { performance } from "node:perf_hooks";
import { startService } from "../src/service/service.js";
import { DEMO_DEFAULTS } from "../src/service/settings.js";
import { demoUsers, fmt, LoadGenerator, measureRound, median, readLoadOptions, rotated, wholeMs, type Measurement } from "./load.js";

const { events, rounds, roundSeconds, connections } = readLoadOptions();
const WARM_UP_SECONDS = 1;

const PROFILE_QUERY =
  "query($user_id: Long!){ getUserProfile(userId: $user_id){ totalListenCount firstListenEvent lastListenEvent " +
  "artistCharts { topK { countPlays artist { id name } } } albumCharts { topK { countPlays album { id name } } } " +
  "trackCharts { topK { countPlays track { id name } } } } }";
const RECOMMENDATION_QUERY = "query($user_id: Long!){ getArtistRecommendations(userId: $user_id, field: ARTIST){ recommendations { artist { name } } } }";

interface Scenario {
  name: string;
  rest: { route: string; path: (userId: number) => string };
  graphql: string;
  goal: string;
}

const SCENARIOS: Scenario[] = [
  {
    name: "profile with three charts and names",
    rest: { route: "/profiles/:userId", path: (userId) => `/profiles/${userId}` },
    graphql: PROFILE_QUERY,
    goal: "GraphQL >= 3,000 req/s",
  },
  {
    name: "recommendations, seed defaults (1000 walks, walkLength 100), through @rest",
    rest: { route: "/recommendation/:userId/:field", path: (userId) => `/recommendation/${userId}/ARTIST` },
    graphql: RECOMMENDATION_QUERY,
    goal: "GraphQL >= 85% of REST",
  },
];

const started = performance.now();
const responses = new Map<string, number>();
const service = await startService({
  source: { kind: "demo", ...DEMO_DEFAULTS, events, liveRate: 0 },
  port: 0,
  walkerThreads: 1,
  drainSeconds: 0,
  logLevel: "warn",
  mounts: [
    (app) => {
      app.addHook("onResponse", (request, _reply, done) => {
        const route = request.routeOptions.url ?? "";
        responses.set(route, (responses.get(route) ?? 0) + 1);
        done();
      });
    },
  ],
});
await service.ready;
const order = demoUsers(events);
console.error(`node ${process.version}: ${fmt(events)} events of ${fmt(order.length)} users loaded in ${fmt((performance.now() - started) / 1000, 1)} s`);

const load = new LoadGenerator();
const count = (route: string) => () => responses.get(route) ?? 0;
const restRound = (scenario: Scenario, seconds: number, round: number) =>
  measureRound(
    load,
    { url: service.url, connections, requests: rotated(order, round, rounds).map((userId) => ({ method: "GET" as const, path: scenario.rest.path(userId) })) },
    seconds,
    count(scenario.rest.route),
  );
const graphqlRound = (scenario: Scenario, seconds: number, round: number) =>
  measureRound(
    load,
    {
      url: service.url,
      connections,
      requests: rotated(order, round, rounds).map((userId) => ({
        method: "POST" as const,
        path: "/graphql",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: scenario.graphql, variables: { user_id: userId } }),
      })),
    },
    seconds,
    count("/graphql"),
  );

const rate = (m: Measurement) => m.requests / m.seconds;
const total = (ms: Measurement[]) => ms.reduce((sum, m) => sum + m.requests, 0) / ms.reduce((sum, m) => sum + m.seconds, 0);
const percent = (ratio: number) => `${fmt(100 * ratio)}%`;
const rows: string[] = [];
for (const scenario of SCENARIOS) {
  console.error(`${scenario.name}: warm-up, then ${rounds} rounds of ${fmt(roundSeconds, 1)} s of REST and GraphQL with ${connections} connections`);
  await restRound(scenario, WARM_UP_SECONDS, 0);
  await graphqlRound(scenario, WARM_UP_SECONDS, 0);
  const rest: Measurement[] = [];
  const graphql: Measurement[] = [];
  for (let round = 0; round < rounds; round++) {
    rest.push(await restRound(scenario, roundSeconds, round));
    graphql.push(await graphqlRound(scenario, roundSeconds, round));
  }
  const ratios = graphql.map((m, round) => rate(m) / rate(rest[round]!)).sort((a, b) => a - b);
  const p50 = (ms: Measurement[]) => median(ms.map((m) => m.p50).sort((a, b) => a - b));
  const p99 = (ms: Measurement[]) => Math.max(...ms.map((m) => m.p99));
  const errors = [...rest, ...graphql].reduce((sum, m) => sum + m.errors, 0);
  rows.push(
    `| ${scenario.name} | ${fmt(total(rest))} | ${fmt(total(graphql))} | ${percent(median(ratios))} (${percent(ratios[0]!)} to ${percent(ratios.at(-1)!)}) ` +
      `| ${wholeMs(p50(rest))} / ${wholeMs(p99(rest))} | ${wholeMs(p50(graphql))} / ${wholeMs(p99(graphql))} | ${errors} | ${scenario.goal} |`,
  );
}
load.close();
await service.close();
console.log(
  [
    `${fmt(events)} generated events, ${fmt(order.length)} users; ${fmt(roundSeconds * rounds)} s per measurement in ${rounds} alternating rounds after a warm-up; ` +
      `one walker thread; autocannon with ${connections} connections in a child process (latency in whole ms).`,
    "",
    "| scenario | REST, req/s | GraphQL, req/s | GraphQL / REST: median round (range) | REST p50 / p99 ms | GraphQL p50 / p99 ms | errors | goal |",
    "|---|---:|---:|---:|---:|---:|---:|---|",
    ...rows,
  ].join("\n"),
);
