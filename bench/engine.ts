// Engine benchmark: wasm kernels beside the TypeScript reference on one generated data set.
// Each engine runs in its own child process (so peak RSS is its own), one after the other, and the
// parent prints one markdown table with the ratios.
//   node --expose-gc dist/bench/engine.js [--events 10000000] [--seconds 5] [--engines wasm,reference]
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Bench } from "tinybench";
import { createGenerator } from "../src/ingest/generator.js";
import { ProfileStore } from "../src/index.js";
import { FIELDS, type Field } from "../src/types.js";

interface SalsaResult {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  samples: number;
}

interface EngineResult {
  engine: "wasm" | "reference";
  events: number;
  users: number;
  eventsPerSecond: number;
  compactMs: number;
  bytesPerEdge: Record<Field, number>;
  salsa: Record<string, SalsaResult>;
  peakRssMB: number;
}

const SCENARIOS = [
  { name: "SALSA 1000 walks, walkLength 100 (seed defaults)", walks: 1000, walkLength: 100 },
  { name: "SALSA 1000 walks, walkLength 5", walks: 1000, walkLength: 5 },
];

const { values } = parseArgs({
  options: {
    events: { type: "string", default: "10000000" },
    seconds: { type: "string", default: "5" },
    engines: { type: "string", default: "wasm,reference" },
    child: { type: "string" },
  },
});
const events = Number(values.events);
const seconds = Number(values.seconds);

function generator() {
  // About 5,000 plays per user and a Zipf catalogue, close to LFM-1b's proportions.
  return createGenerator({ seed: 7, users: Math.max(100, Math.round(events / 5000)), artists: 50_000, events });
}

async function runEngine(engine: "wasm" | "reference"): Promise<EngineResult> {
  const store = await ProfileStore.create({ engine });
  let ingestMs = 0;
  const queryUsers = new Set<number>();
  for (const batch of generator().eventBatches(events, 65536)) {
    for (let i = 0; i < batch.length && queryUsers.size < 1000; i++) queryUsers.add(batch.userId[i]!);
    const start = performance.now();
    store.ingest(batch);
    ingestMs += performance.now() - start;
  }
  const compactStart = performance.now();
  store.compact();
  const compactMs = performance.now() - compactStart;
  const stats = store.stats();
  const bytesPerEdge = Object.fromEntries(
    FIELDS.map((f) => [f, stats.fields[f].graphBytes / stats.fields[f].edges]),
  ) as Record<Field, number>;
  const users = [...queryUsers];
  const salsa: Record<string, SalsaResult> = {};
  for (const scenario of SCENARIOS) {
    let request = 0;
    const bench = new Bench({ time: seconds * 1000, warmupTime: 500 });
    bench.add(scenario.name, () => {
      request++;
      store.recommend(users[request % users.length]!, "ARTIST", { ...scenario, seed: request });
    });
    await bench.run();
    const result = bench.tasks[0]!.result;
    if (result.state !== "completed") throw new Error(`${scenario.name}: ${result.state}`);
    salsa[scenario.name] = {
      requestsPerSecond: 1000 / result.latency.mean,
      p50: result.latency.p50,
      p99: result.latency.p99,
      samples: result.latency.samplesCount,
    };
  }
  return {
    engine,
    events,
    users: stats.users,
    eventsPerSecond: events / ((ingestMs + compactMs) / 1000),
    compactMs,
    bytesPerEdge,
    salsa,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
  };
}

function runChild(engine: string): EngineResult {
  const output = execFileSync(
    process.execPath,
    ["--max-old-space-size=16384", fileURLToPath(import.meta.url), "--child", engine, "--events", String(events), "--seconds", String(seconds)],
    { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 1 << 20 },
  );
  return JSON.parse(output) as EngineResult;
}

const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

function table(results: EngineResult[]): string {
  const [wasm, reference] = [results.find((r) => r.engine === "wasm"), results.find((r) => r.engine === "reference")];
  const rows: string[] = [];
  const row = (label: string, pick: (r: EngineResult) => number, digits: number, goal: string, higherIsBetter = true) => {
    const a = wasm && pick(wasm);
    const b = reference && pick(reference);
    const ratio = a !== undefined && b !== undefined ? (higherIsBetter ? a / b : b / a) : undefined;
    rows.push(
      `| ${label} | ${a === undefined ? "-" : fmt(a, digits)} | ${b === undefined ? "-" : fmt(b, digits)} | ${ratio === undefined ? "-" : fmt(ratio, 1) + "x"} | ${goal} |`,
    );
  };
  row("ingest, events/s (3 graphs + metrics + charts)", (r) => r.eventsPerSecond, 0, "wasm >= 1,000,000; >= 3x");
  for (const scenario of SCENARIOS) {
    const pick = (r: EngineResult) => r.salsa[scenario.name]!;
    const seedDefaults = scenario.walkLength === 100;
    row(`${scenario.name}, requests/s`, (r) => pick(r).requestsPerSecond, 0, seedDefaults ? ">= 2x" : "wasm >= 2,000; >= 2x");
    row(`${scenario.name}, p50 ms`, (r) => pick(r).p50, 3, "", false);
    row(`${scenario.name}, p99 ms`, (r) => pick(r).p99, 3, seedDefaults ? "wasm <= 20" : "", false);
  }
  for (const field of FIELDS) row(`${field} graph, bytes/edge (both directions + id maps)`, (r) => r.bytesPerEdge[field], 2, "wasm <= 10", false);
  row("peak RSS, MB", (r) => r.peakRssMB, 0, "", false);
  const users = results[0]!.users;
  return [
    `${fmt(events)} generated events, ${fmt(users)} users; wasm final compact ${fmt(wasm?.compactMs ?? 0)} ms (included in ingest).`,
    "",
    "| measure | wasm | reference | wasm / reference | goal |",
    "|---|---:|---:|---:|---|",
    ...rows,
  ].join("\n");
}

if (values.child) {
  process.stdout.write(JSON.stringify(await runEngine(values.child as "wasm" | "reference")));
} else {
  const engines = values.engines.split(",");
  console.error(`node ${process.version}, ${fmt(events)} events, ${seconds} s per SALSA scenario; engines run one after the other`);
  console.log(table(engines.map(runChild)));
}
