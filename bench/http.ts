// HTTP benchmark: the REST service over loopback beside the same calls to the SDK in process, on one
// generated data set (the embedded demo's: 1,000 listeners, 5,000 artists).
//   node dist/bench/http.js [--events 1000000] [--seconds 12] [--rounds 3] [--connections 10]
//
// The server runs in this process and autocannon in a child process (bench/http-load.ts): the load
// generator shares the machine (2 cores here) with the server, and its memory traffic slows the
// memory-bound random walks. So besides the end-to-end ratio, the table
// gives the share of the server's busy time spent outside the SDK, measured in the same run: the
// cost of the HTTP layer itself. In-process and HTTP runs alternate in rounds, so that other load on
// the machine weighs on both alike; users are visited in a shuffled order (activity is skewed).
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { fork } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import type autocannon from "autocannon";
import { Mulberry32 } from "../src/engine/random.js";
import { buildServer } from "../src/http/server.js";
import { createGenerator } from "../src/ingest/generator.js";
import { ProfileStore } from "../src/index.js";

const { values } = parseArgs({
  options: {
    events: { type: "string", default: "1000000" },
    seconds: { type: "string", default: "12" },
    rounds: { type: "string", default: "3" },
    connections: { type: "string", default: "10" },
  },
});
const events = Number(values.events);
const rounds = Number(values.rounds);
/** Each measurement's time, split over the rounds. */
const roundSeconds = Number(values.seconds) / rounds;
const connections = Number(values.connections);
const SAMPLE_MARGIN_MS = 500;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Scenario {
  name: string;
  path: (userId: number) => string;
  /** What the route does, called in process. */
  inProcess: (store: ProfileStore, userId: number) => unknown;
}

const SCENARIOS: Scenario[] = [
  {
    name: "/recommendation, seed defaults (1000 walks, walkLength 100)",
    path: (userId) => `/recommendation/${userId}/ARTIST`,
    inProcess: (store, userId) => store.recommend(userId, "ARTIST"),
  },
  {
    name: "/recommendation, light (walks 100, walkLength 10)",
    path: (userId) => `/recommendation/${userId}/ARTIST?walks=100&walkLength=10`,
    inProcess: (store, userId) => store.recommend(userId, "ARTIST", { walks: 100, walkLength: 10 }),
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

interface Measurement {
  requests: number;
  seconds: number;
  p50: number;
  p99: number;
  errors: number;
  /** Server only: time on the event loop, and the part of it spent inside the SDK. */
  busyMs: number;
  sdkMs: number;
}

async function loadStore(): Promise<{ store: ProfileStore; users: number[] }> {
  const generator = createGenerator({ events });
  const store = await ProfileStore.create();
  const users = new Set<number>();
  for (const batch of generator.eventBatches(events)) {
    store.ingest(batch);
    for (const id of batch.userId) users.add(id);
  }
  store.setNames("ARTIST", generator.catalogue.artists);
  store.compact();
  return { store, users: shuffle([...users]) };
}

function shuffle(ids: number[]): number[] {
  const random = new Mulberry32(42);
  for (let i = ids.length - 1; i > 0; i--) {
    const j = random.below(i + 1);
    [ids[i], ids[j]] = [ids[j]!, ids[i]!];
  }
  return ids;
}

/** The store as the server sees it, adding up the time spent in its methods. */
function timedStore(store: ProfileStore, clock: { sdkMs: number }): ProfileStore {
  return new Proxy(store, {
    get(target, property) {
      const value = Reflect.get(target, property);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        const start = performance.now();
        try {
          return value.apply(target, args);
        } finally {
          clock.sdkMs += performance.now() - start;
        }
      };
    },
  });
}

/** Calls the SDK for a round, cycling through the users; latency per call. */
function measureInProcess(store: ProfileStore, users: number[], scenario: Scenario): Measurement {
  const latencies: number[] = [];
  const end = performance.now() + roundSeconds * 1000;
  for (let call = 0; performance.now() < end; call++) {
    const start = performance.now();
    scenario.inProcess(store, users[call % users.length]!);
    latencies.push(performance.now() - start);
  }
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  const busyMs = latencies.reduce((sum, ms) => sum + ms, 0);
  return { requests: latencies.length, seconds: busyMs / 1000, p50: at(0.5), p99: at(0.99), errors: 0, busyMs, sdkMs: busyMs };
}

/**
 * Each connection walks the same list from its start, so each round starts somewhere else in it.
 * The server's busy time is sampled inside the round, leaving out autocannon's start and finish.
 */
async function measureHttp(url: string, users: number[], scenario: Scenario, round: number, clock: { sdkMs: number }): Promise<Measurement> {
  const offset = Math.floor((round * users.length) / rounds);
  const order = [...users.slice(offset), ...users.slice(0, offset)];
  const loader = fork(fileURLToPath(new URL("./http-load.js", import.meta.url)));
  const run = once(loader, "message").then(([result]) => result as autocannon.Result);
  loader.send({
    url,
    connections,
    duration: roundSeconds,
    requests: order.map((userId) => ({ method: "GET", path: scenario.path(userId) })),
  });
  await sleep(SAMPLE_MARGIN_MS);
  const [loopBefore, sdkBefore] = [performance.eventLoopUtilization(), clock.sdkMs];
  await sleep(roundSeconds * 1000 - 2 * SAMPLE_MARGIN_MS);
  const [loop, sdkMs] = [performance.eventLoopUtilization(loopBefore), clock.sdkMs - sdkBefore];
  const result = await run;
  return {
    requests: result.requests.total,
    seconds: result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    busyMs: loop.active,
    sdkMs,
  };
}

/** Rounds summed: rate over all of them, the median round's p50 and the worst round's p99. */
function combine(measurements: Measurement[]) {
  const sum = (pick: (m: Measurement) => number) => measurements.reduce((total, m) => total + pick(m), 0);
  const p50s = measurements.map((m) => m.p50).sort((a, b) => a - b);
  return {
    rate: sum((m) => m.requests) / sum((m) => m.seconds),
    p50: p50s[Math.floor(p50s.length / 2)]!,
    p99: Math.max(...measurements.map((m) => m.p99)),
    errors: sum((m) => m.errors),
    outsideSdk: 1 - sum((m) => m.sdkMs) / sum((m) => m.busyMs),
  };
}

const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
/** autocannon records whole milliseconds. */
const wholeMs = (ms: number) => (ms < 1 ? "<1" : fmt(ms));

const started = performance.now();
const { store, users } = await loadStore();
console.error(`node ${process.version}: ${fmt(events)} events of ${fmt(users.length)} users loaded in ${fmt((performance.now() - started) / 1000, 1)} s`);
const clock = { sdkMs: 0 };
const app = await buildServer(timedStore(store, clock));
await app.listen({ host: "127.0.0.1", port: 0 });
const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
const rows: string[] = [];
for (const scenario of SCENARIOS) {
  console.error(`${scenario.name}: ${rounds} rounds of ${fmt(roundSeconds, 1)} s in process, then over HTTP with ${connections} connections`);
  const inProcess: Measurement[] = [];
  const overHttp: Measurement[] = [];
  for (let round = 0; round < rounds; round++) {
    inProcess.push(measureInProcess(store, users, scenario));
    overHttp.push(await measureHttp(url, users, scenario, round, clock));
  }
  const [sdk, http] = [combine(inProcess), combine(overHttp)];
  rows.push(
    `| ${scenario.name} | ${fmt(sdk.rate)} | ${fmt(http.rate)} | ${fmt((100 * http.rate) / sdk.rate)}% | ${fmt(100 * http.outsideSdk, 1)}% ` +
      `| ${fmt(sdk.p50, 3)} / ${fmt(sdk.p99, 3)} | ${wholeMs(http.p50)} / ${wholeMs(http.p99)} | ${http.errors} |`,
  );
}
await app.close();
console.log(
  [
    `${fmt(events)} generated events, ${fmt(users.length)} users, field ARTIST; ${fmt(roundSeconds * rounds)} s per measurement in ${rounds} ` +
      `alternating rounds; autocannon with ${connections} connections in a child process (HTTP latency in whole ms).`,
    "",
    "| scenario | SDK in process, req/s | HTTP, req/s | HTTP / SDK | server busy time outside the SDK | SDK p50 / p99 ms | HTTP p50 / p99 ms | HTTP errors |",
    "|---|---:|---:|---:|---:|---:|---:|---:|",
    ...rows,
  ].join("\n"),
);
