// HTTP benchmark: the REST service over loopback beside the same calls to the SDK in process, on one
// generated data set (the embedded demo's: 1,000 listeners, 5,000 artists).
//   node dist/bench/http.js [--events 1000000] [--seconds 20] [--rounds 10] [--connections 10]
//
// The server is the embedded demo's service (src/service/, as `serve` starts it, without the live
// stream) in this process, with one walker thread as `serve` has on this machine, and autocannon in
// a child process started once (bench/http-load.ts). The in-process calls are the
// SDK's synchronous ones, on this thread; for recommendations the table also gives the SDK's
// `recommendAsync` on the same walker thread, with as many calls in flight as the load generator has
// connections: that is the service without its HTTP layer. The HTTP rate is counted by the server itself, over a window
// inside each round that leaves out the load generator's ramp up and down; the HTTP thread's busy time
// is sampled over the same window. Each scenario starts with a discarded warm-up of both; then
// in-process and HTTP rounds alternate, so that other load on the machine weighs on both alike.
// Users are visited in a shuffled order (activity is skewed).
import { performance } from "node:perf_hooks";
import type { ProfileStore } from "../src/index.js";
import { startService } from "../src/service/service.js";
import { DEMO_DEFAULTS } from "../src/service/settings.js";
import { demoUsers, fmt, LoadGenerator, measureRound, median, readLoadOptions, rotated, wholeMs, type Measurement } from "./load.js";

const { events, rounds, roundSeconds, connections } = readLoadOptions();
const WALKER_THREADS = 1;
const WARM_UP_SECONDS = 1;

interface Scenario {
  name: string;
  path: (userId: number) => string;
  /** What the route does, called in process. */
  inProcess: (store: ProfileStore, userId: number) => unknown;
  /** The same on the store's walker thread, where the SDK offers it. */
  onWalker?: (store: ProfileStore, userId: number) => Promise<unknown>;
}

const SCENARIOS: Scenario[] = [
  {
    name: "/recommendation, seed defaults (1000 walks, walkLength 100)",
    path: (userId) => `/recommendation/${userId}/ARTIST`,
    inProcess: (store, userId) => store.recommend(userId, "ARTIST"),
    onWalker: (store, userId) => store.recommendAsync(userId, "ARTIST"),
  },
  {
    name: "/recommendation, light (walks 100, walkLength 10)",
    path: (userId) => `/recommendation/${userId}/ARTIST?walks=100&walkLength=10`,
    inProcess: (store, userId) => store.recommend(userId, "ARTIST", { walks: 100, walkLength: 10 }),
    onWalker: (store, userId) => store.recommendAsync(userId, "ARTIST", { walks: 100, walkLength: 10 }),
  },
  {
    name: "/profiles (metrics and three charts)",
    path: (userId) => `/profiles/${userId}`,
    inProcess: (store, userId) => ({
      ...store.profile(userId),
      artistCharts: store.charts(userId, "ARTIST"),
      albumCharts: store.charts(userId, "ALBUM"),
      trackCharts: store.charts(userId, "TRACK"),
    }),
  },
];




/** Calls the SDK for a while, cycling through the users; latency per call. */
function measureInProcess(store: ProfileStore, users: number[], scenario: Scenario, seconds: number): Measurement {
  const latencies: number[] = [];
  const end = performance.now() + seconds * 1000;
  for (let call = 0; performance.now() < end; call++) {
    const start = performance.now();
    scenario.inProcess(store, users[call % users.length]!);
    latencies.push(performance.now() - start);
  }
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  const busyMs = latencies.reduce((sum, ms) => sum + ms, 0);
  return { requests: latencies.length, seconds: busyMs / 1000, p50: at(0.5), p99: at(0.99), errors: 0, busyMs };
}

/** Calls the SDK's walker thread for a while with `connections` calls in flight; the rate is over wall time. */
async function measureOnWalker(store: ProfileStore, users: number[], scenario: Scenario, seconds: number): Promise<Measurement> {
  const start = performance.now();
  const end = start + seconds * 1000;
  let calls = 0;
  const caller = async () => {
    while (performance.now() < end) await scenario.onWalker!(store, users[calls++ % users.length]!);
  };
  await Promise.all(Array.from({ length: connections }, caller));
  const wallMs = performance.now() - start;
  return { requests: calls, seconds: wallMs / 1000, p50: NaN, p99: NaN, errors: 0, busyMs: wallMs };
}


/** One HTTP round of the scenario; each round starts somewhere else in the users' list. */
function measureHttp(load: LoadGenerator, url: string, users: number[], scenario: Scenario, seconds: number, round: number, responses: () => number) {
  const requests = rotated(users, round, rounds).map((userId) => ({ method: "GET" as const, path: scenario.path(userId) }));
  return measureRound(load, { url, connections, requests }, seconds, responses);
}

/**
 * Rounds summed: rate over all of them, the median round's p50 and the worst round's p99. The
 * ratio to the SDK is taken per round, each HTTP round against the in-process round just before it,
 * so that a slow spell of the (shared, virtual) machine weighs on both sides of a ratio alike.
 */
function combine(inProcess: Measurement[], onWalker: Measurement[], overHttp: Measurement[]) {
  const sum = (measurements: Measurement[], pick: (m: Measurement) => number) => measurements.reduce((total, m) => total + pick(m), 0);
  const rate = (m: Measurement) => m.requests / m.seconds;
  const ratios = overHttp.map((m, round) => rate(m) / rate(inProcess[round]!)).sort((a, b) => a - b);
  const p50s = overHttp.map((m) => m.p50).sort((a, b) => a - b);
  return {
    sdkRate: sum(inProcess, (m) => m.requests) / sum(inProcess, (m) => m.seconds),
    walkerRate: onWalker.length > 0 ? sum(onWalker, (m) => m.requests) / sum(onWalker, (m) => m.seconds) : undefined,
    httpRate: sum(overHttp, (m) => m.requests) / sum(overHttp, (m) => m.seconds),
    ratio: median(ratios),
    ratioRange: [ratios[0]!, ratios.at(-1)!],
    sdkP50: median(inProcess.map((m) => m.p50).sort((a, b) => a - b)),
    sdkP99: Math.max(...inProcess.map((m) => m.p99)),
    p50: median(p50s),
    p99: Math.max(...overHttp.map((m) => m.p99)),
    errors: sum(overHttp, (m) => m.errors),
    httpThreadBusy: sum(overHttp, (m) => m.busyMs) / sum(overHttp, (m) => m.seconds * 1000),
  };
}



const started = performance.now();
let responses = 0;
const service = await startService({
  source: { kind: "demo", ...DEMO_DEFAULTS, events, liveRate: 0 },
  port: 0,
  walkerThreads: WALKER_THREADS,
  drainSeconds: 0,
  logLevel: "warn",
  mounts: [
    (app) => {
      app.addHook("onResponse", (_request, _reply, done) => {
        responses++;
        done();
      });
    },
  ],
});
await service.ready;
const { store, url } = service;
const users = demoUsers(events);
console.error(`node ${process.version}: ${fmt(events)} events of ${fmt(users.length)} users loaded in ${fmt((performance.now() - started) / 1000, 1)} s`);
const load = new LoadGenerator();
const rows: string[] = [];
for (const scenario of SCENARIOS) {
  console.error(`${scenario.name}: warm-up, then ${rounds} rounds of ${fmt(roundSeconds, 1)} s in process and over HTTP with ${connections} connections`);
  measureInProcess(store, users, scenario, WARM_UP_SECONDS);
  if (scenario.onWalker) await measureOnWalker(store, users, scenario, WARM_UP_SECONDS);
  await measureHttp(load, url, users, scenario, WARM_UP_SECONDS, 0, () => responses);
  const inProcess: Measurement[] = [];
  const onWalker: Measurement[] = [];
  const overHttp: Measurement[] = [];
  for (let round = 0; round < rounds; round++) {
    inProcess.push(measureInProcess(store, users, scenario, roundSeconds));
    if (scenario.onWalker) onWalker.push(await measureOnWalker(store, users, scenario, roundSeconds));
    overHttp.push(await measureHttp(load, url, users, scenario, roundSeconds, round, () => responses));
  }
  const result = combine(inProcess, onWalker, overHttp);
  const percent = (ratio: number) => `${fmt(100 * ratio)}%`;
  rows.push(
    `| ${scenario.name} | ${fmt(result.sdkRate)} | ${result.walkerRate === undefined ? "-" : fmt(result.walkerRate)} | ${fmt(result.httpRate)} | ${percent(result.ratio)} (${result.ratioRange.map(percent).join(" to ")}) ` +
      `| ${fmt(100 * result.httpThreadBusy)}% | ${fmt(result.sdkP50, 3)} / ${fmt(result.sdkP99, 3)} | ${wholeMs(result.p50)} / ${wholeMs(result.p99)} | ${result.errors} |`,
  );
}
load.close();
await service.close();
console.log(
  [
    `${fmt(events)} generated events, ${fmt(users.length)} users, field ARTIST; ${fmt(roundSeconds * rounds)} s per measurement in ${rounds} ` +
      `alternating rounds after a warm-up; the server walks on ${WALKER_THREADS} walker thread; ` +
      `autocannon with ${connections} connections in a child process (HTTP latency in whole ms).`,
    "",
    "| scenario | SDK in process, req/s | SDK on the walker thread, req/s | HTTP, req/s | HTTP / SDK in process: median round (range) | HTTP thread busy | SDK p50 / p99 ms | HTTP p50 / p99 ms | HTTP errors |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...rows,
    "",
    "Goals: light setting >= 5,000 HTTP req/s; seed defaults: HTTP >= 90% of the SDK in process (median round).",
  ].join("\n"),
);
