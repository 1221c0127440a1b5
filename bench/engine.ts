// Engine benchmark: wasm kernels beside the TypeScript reference on generated data of two shapes: few
// users (every user's structures fit in cache) and LFM-1b's cardinality. Each engine and shape runs
// in its own child process (so peak RSS is its own), one after the other, and the parent prints one
// markdown table per shape with the ratios.
//   node --expose-gc dist/bench/engine.js [--events 10000000] [--seconds 5] [--engines wasm,reference] [--shapes few-users,lfm-1b]
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Bench } from "tinybench";
import { median } from "./load.js";
import { allocateBatch, firstRows } from "../src/ingest/batch.js";
import { createGenerator, type LfmGenerator } from "../src/ingest/generator.js";
import { ProfileStore, type RecommendOptions } from "../src/index.js";
import type { FieldStats } from "../src/engine/engine.js";
import { FIELDS, type EventBatch, type Field } from "../src/types.js";

interface SalsaResult {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  samples: number;
}

interface EngineResult {
  engine: "wasm" | "reference";
  shape: ShapeName;
  events: number;
  users: number;
  items: Record<Field, number>;
  eventsPerSecond: number;
  /** The store's ingestThreads (the default), and the wasm ingest rate of a fresh store on one thread. */
  ingestThreads: number;
  oneThreadPerSecond?: number;
  compactMs: number;
  /** The graph alone (both directions), and with the field's item id map where the engine measures it. */
  bytesPerEdge: Record<Field, number>;
  bytesPerEdgeWithIds: Record<Field, number | undefined>;
  salsa: Record<string, SalsaResult>;
  /** One `ingest` call of a few event objects, as POST /events makes it: calls per second and p50 µs
   *  (few-users shape only, as the measurements below). */
  smallCalls?: Record<string, { callsPerSecond: number; p50Us: number }>;
  /** A fresh store fed the same events as objects and as columns. */
  objectsVsColumns?: { events: number; objectsPerSecond: number; columnsPerSecond: number; objectsPercent: number };
  /** The engine's structures after the load (wasm: as it counts them; reference: the growth of the
   *  JavaScript heap and external memory after a full GC). */
  liveMB: number;
  /** The process before the store was created (Node, the bench, the generator). */
  baselineRssMB: number;
  /** Peak RSS after the load (before any walk's scratch memory), and after the walks. */
  loadPeakRssMB: number;
  peakRssMB: number;
}

const SMALL_CALLS = [1, 100];
/** Events per ingest call of the load. */
const LOAD_BATCH = 65536;
/** Events of the objects-beside-columns measurement (a fresh store each), and its pairs of runs. */
const SHAPE_EVENTS = 2_000_000;
const SHAPE_PAIRS = 5;

/** Recommendation requests measured; `goal` is their requests/s and p99 goals. */
const SCENARIOS: { name: string; request: RecommendOptions; goal: { requests: string; p99: string } }[] = [
  { name: "preset seed: SALSA 1000 walks, walkLength 100", request: { preset: "seed" }, goal: { requests: ">= 2x", p99: "wasm <= 20" } },
  { name: "SALSA 1000 walks, walkLength 5", request: { walks: 1000, walkLength: 5 }, goal: { requests: "wasm >= 2,000; >= 2x", p99: "" } },
  { name: "preset quality: exact walk", request: { preset: "quality" }, goal: { requests: "", p99: "wasm <= preset seed's" } },
];

const { values } = parseArgs({
  options: {
    events: { type: "string", default: "10000000" },
    seconds: { type: "string", default: "5" },
    engines: { type: "string", default: "wasm,reference" },
    shapes: { type: "string", default: "few-users,lfm-1b" },
    child: { type: "string" },
    shape: { type: "string", default: "few-users" },
  },
});
const events = Number(values.events);
const seconds = Number(values.seconds);

/** The data shapes: the number of users; both have LFM-1b's Zipf catalogue of 50,000 artists. */
const SHAPES = {
  // About 5,000 plays per user, LFM-1b's proportion of plays to users.
  "few-users": { label: "few users", users: () => Math.max(100, Math.round(events / 5000)) },
  // LFM-1b's cardinality: 120,322 users (here 100,000), artists in the tens of thousands, a million tracks.
  "lfm-1b": { label: "LFM-1b's cardinality", users: () => 100_000 },
};
type ShapeName = keyof typeof SHAPES;

function generator(shape: ShapeName) {
  return createGenerator({ seed: 7, users: SHAPES[shape].users(), artists: 50_000, events });
}

/** JavaScript heap and external memory after a full GC (the bench runs with --expose-gc). */
function heapBytes(): number {
  globalThis.gc?.();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.external;
}

/** The load's events from `source`, generated into one reused batch (so the bench makes no garbage and
 *  runs no GC between ingest calls); `ingest` gets each batch and returns its ms. */
function generatedLoad(source: LfmGenerator, ingest: (batch: EventBatch) => number): number {
  const batch = allocateBatch(LOAD_BATCH);
  let ms = 0;
  for (let done = 0; done < events; done += LOAD_BATCH) {
    ms += ingest(source.fill(done + LOAD_BATCH <= events ? batch : firstRows(batch, events - done)));
  }
  return ms;
}

/** The ms one `ingest` call takes. */
function timed(store: ProfileStore, batch: EventBatch): number {
  const start = performance.now();
  store.ingest(batch);
  return performance.now() - start;
}

async function runEngine(engine: "wasm" | "reference", shape: ShapeName): Promise<EngineResult> {
  const source = generator(shape);
  const baselineRssMB = process.memoryUsage().rss / 2 ** 20;
  const heapBefore = heapBytes();
  const store = await ProfileStore.create({ engine });
  const queryUsers = new Set<number>();
  const ingestMs = generatedLoad(source, (batch) => {
    for (let i = 0; i < batch.userId.length && queryUsers.size < 1000; i++) queryUsers.add(batch.userId[i]!);
    return timed(store, batch);
  });
  const compactStart = performance.now();
  store.compact();
  const compactMs = performance.now() - compactStart;
  const loadPeakRssMB = process.resourceUsage().maxRSS / 1024;
  const stats = store.stats();
  const liveMB = (stats.liveBytes ?? heapBytes() - heapBefore) / 2 ** 20;
  const perEdge = (bytes: (s: FieldStats) => number | undefined) =>
    Object.fromEntries(FIELDS.map((f) => {
      const b = bytes(stats.fields[f]);
      return [f, b === undefined ? undefined : b / stats.fields[f].edges];
    }));
  const bytesPerEdge = perEdge((s) => s.graphBytes) as Record<Field, number>;
  const bytesPerEdgeWithIds = perEdge((s) => (s.itemIdBytes === undefined ? undefined : s.graphBytes + s.itemIdBytes)) as Record<Field, number | undefined>;
  const users = [...queryUsers];
  const salsa: Record<string, SalsaResult> = {};
  for (const scenario of SCENARIOS) {
    let request = 0;
    const bench = new Bench({ time: seconds * 1000, warmupTime: 500 });
    bench.add(scenario.name, () => {
      request++;
      store.recommend(users[request % users.length]!, "ARTIST", { ...scenario.request, seed: request });
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
  // Before the small calls, which add events of their own.
  const peakRssMB = process.resourceUsage().maxRSS / 1024;
  const fewUsers = shape === "few-users";
  const smallCalls = fewUsers ? await measureSmallCalls(store, shape) : undefined;
  const ingestThreads = store.options.ingestThreads;
  await store.close();
  return {
    engine,
    shape,
    events,
    users: stats.users,
    items: Object.fromEntries(FIELDS.map((f) => [f, stats.fields[f].items])) as Record<Field, number>,
    eventsPerSecond: events / ((ingestMs + compactMs) / 1000),
    ingestThreads,
    oneThreadPerSecond: engine === "wasm" && ingestThreads > 1 ? await oneThreadRate(shape) : undefined,
    compactMs,
    bytesPerEdge,
    bytesPerEdgeWithIds,
    salsa,
    smallCalls,
    objectsVsColumns: fewUsers ? await measureShapes(engine) : undefined,
    liveMB,
    baselineRssMB,
    loadPeakRssMB,
    peakRssMB,
  };
}

/** Events/s of a fresh wasm store on one ingest thread, fed the same events (after the main store is closed). */
async function oneThreadRate(shape: ShapeName): Promise<number> {
  globalThis.gc?.();
  const store = await ProfileStore.create({ ingestThreads: 1 });
  let ms = generatedLoad(generator(shape), (batch) => timed(store, batch));
  const start = performance.now();
  store.compact();
  ms += performance.now() - start;
  await store.close();
  return events / (ms / 1000);
}

/** One ingest call of n event objects at a time into the loaded store (the path of every small POST). */
async function measureSmallCalls(store: ProfileStore, shape: ShapeName): Promise<NonNullable<EngineResult["smallCalls"]>> {
  const live = generator(shape);
  const smallCalls: NonNullable<EngineResult["smallCalls"]> = {};
  for (const n of SMALL_CALLS) {
    const calls = Array.from({ length: 64 }, () => live.nextEvents(n));
    let call = 0;
    // Half a second: a one-event call is so fast that longer would grow the graph by millions of events.
    const bench = new Bench({ time: 500, warmupTime: 100 });
    bench.add(`ingest ${n}`, () => {
      store.ingest(calls[call++ % calls.length]!);
    });
    await bench.run();
    const result = bench.tasks[0]!.result;
    if (result.state !== "completed") throw new Error(`ingest ${n}: ${result.state}`);
    smallCalls[n] = { callsPerSecond: 1000 / result.latency.mean, p50Us: result.latency.p50 * 1000 };
  }
  return smallCalls;
}

/** The same events into fresh stores, as objects and as columns, in pairs; the median events/s of each. */
async function measureShapes(engine: "wasm" | "reference"): Promise<NonNullable<EngineResult["objectsVsColumns"]>> {
  const count = Math.min(events, SHAPE_EVENTS);
  const shaped = createGenerator({ seed: 9, users: 100_000, artists: 50_000, events: count });
  const batches = [...shaped.eventBatches(count, 65536)];
  const objects = batches.map((batch) =>
    Array.from({ length: batch.userId.length }, (_, i) => ({
      userId: batch.userId[i]!,
      artistId: batch.artistId[i]!,
      albumId: batch.albumId[i]!,
      trackId: batch.trackId[i]!,
      timestamp: batch.timestamp[i]!,
    })),
  );
  const rate = async (inputs: Array<Parameters<ProfileStore["ingest"]>[0]>) => {
    const store = await ProfileStore.create({ engine });
    const start = performance.now();
    for (const input of inputs) store.ingest(input);
    const perSecond = count / ((performance.now() - start) / 1000);
    await store.close();
    return perSecond;
  };
  // Pairs side by side, so that neither shape alone meets a slow spell of the machine: the medians,
  // and the median of the pairs' ratios.
  const pairs: Array<{ columns: number; objects: number }> = [];
  for (let pair = 0; pair < SHAPE_PAIRS; pair++) pairs.push({ columns: await rate(batches), objects: await rate(objects) });
  const middle = (values: number[]) => median(values.sort((a, b) => a - b));
  return {
    events: count,
    columnsPerSecond: middle(pairs.map((p) => p.columns)),
    objectsPerSecond: middle(pairs.map((p) => p.objects)),
    objectsPercent: middle(pairs.map((p) => (100 * p.objects) / p.columns)),
  };
}

function runChild(engine: string, shape: string): EngineResult {
  const output = execFileSync(
    process.execPath,
    ["--expose-gc", "--max-old-space-size=16384", fileURLToPath(import.meta.url), "--child", engine, "--shape", shape, "--events", String(events), "--seconds", String(seconds)],
    { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 1 << 20 },
  );
  return JSON.parse(output) as EngineResult;
}

const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

function table(shape: ShapeName, results: EngineResult[]): string {
  const [wasm, reference] = [results.find((r) => r.engine === "wasm"), results.find((r) => r.engine === "reference")];
  const rows: string[] = [];
  const row = (label: string, pick: (r: EngineResult) => number, digits: number, goal: string, higherIsBetter = true) => {
    const measured = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? undefined : v);
    const a = measured(wasm && pick(wasm));
    const b = measured(reference && pick(reference));
    const ratio = a !== undefined && b !== undefined ? (higherIsBetter ? a / b : b / a) : undefined;
    rows.push(
      `| ${label} | ${a === undefined ? "-" : fmt(a, digits)} | ${b === undefined ? "-" : fmt(b, digits)} | ${ratio === undefined ? "-" : fmt(ratio, 1) + "x"} | ${goal} |`,
    );
  };
  const fewUsers = shape === "few-users";
  row(`ingest, events/s (3 graphs + metrics + charts; wasm on ${wasm?.ingestThreads ?? 1} threads, the default)`, (r) => r.eventsPerSecond, 0, fewUsers ? "wasm >= 1,000,000; >= 3x" : "wasm >= 1,500,000");
  row("the same on one ingest thread (ingestThreads 1), events/s", (r) => r.oneThreadPerSecond ?? NaN, 0, "");
  for (const scenario of SCENARIOS) {
    const pick = (r: EngineResult) => r.salsa[scenario.name]!;
    row(`${scenario.name}, requests/s`, (r) => pick(r).requestsPerSecond, 0, scenario.goal.requests);
    row(`${scenario.name}, p50 ms`, (r) => pick(r).p50, 3, "", false);
    row(`${scenario.name}, p99 ms`, (r) => pick(r).p99, 3, scenario.goal.p99, false);
  }
  if (fewUsers) {
    for (const n of SMALL_CALLS) {
      row(`one ingest call of ${n} event object${n === 1 ? "" : "s"}, calls/s`, (r) => r.smallCalls![n]!.callsPerSecond, 0, "");
      row(`one ingest call of ${n} event object${n === 1 ? "" : "s"}, p50 µs`, (r) => r.smallCalls![n]!.p50Us, 2, n === 1 ? "wasm < 5" : "wasm < 50", false);
    }
    const shapes = results[0]!.objectsVsColumns!;
    row(`ingest ${fmt(shapes.events)} events of 100,000 users as columns, events/s`, (r) => r.objectsVsColumns!.columnsPerSecond, 0, "");
    row(`the same events as objects, events/s`, (r) => r.objectsVsColumns!.objectsPerSecond, 0, "");
    row(`objects / columns, % (median of ${SHAPE_PAIRS} pairs side by side)`, (r) => r.objectsVsColumns!.objectsPercent, 0, ">= 80");
  }
  for (const field of FIELDS) row(`${field} graph, bytes/edge (both directions)`, (r) => r.bytesPerEdge[field], 2, "wasm <= 10", false);
  for (const field of FIELDS) row(`${field} graph, bytes/edge (both directions + item id map)`, (r) => r.bytesPerEdgeWithIds[field] ?? NaN, 2, "", false);
  row("live bytes of the engine's structures, MB", (r) => r.liveMB, 0, "", false);
  row("RSS before the store (Node, bench, generator), MB", (r) => r.baselineRssMB, 0, "", false);
  row("peak RSS after the load, MB", (r) => r.loadPeakRssMB, 0, "", false);
  row("peak RSS after the load / live bytes", (r) => r.loadPeakRssMB / r.liveMB, 2, "wasm <= 1.3", false);
  row("(peak RSS after the load - RSS before the store) / live bytes", (r) => (r.loadPeakRssMB - r.baselineRssMB) / r.liveMB, 2, "wasm <= 1.3", false);
  row("peak RSS after the walks, MB", (r) => r.peakRssMB, 0, "", false);
  const first = results[0]!;
  const items = FIELDS.map((f) => fmt(first.items[f]) + " " + f.toLowerCase() + "s").join(", ");
  return [
    `${SHAPES[shape].label}: ${fmt(events)} generated events, ${fmt(first.users)} users, ${items}; wasm final compact ${fmt(wasm?.compactMs ?? 0)} ms (included in ingest).`,
    "",
    "| measure | wasm | reference | wasm / reference | goal |",
    "|---|---:|---:|---:|---|",
    ...rows,
  ].join("\n");
}

if (values.child) {
  process.stdout.write(JSON.stringify(await runEngine(values.child as "wasm" | "reference", values.shape as ShapeName)));
} else {
  const engines = values.engines.split(",");
  const shapes = values.shapes.split(",") as ShapeName[];
  for (const shape of shapes) if (!(shape in SHAPES)) throw new Error(`--shapes: ${shape} is not one of ${Object.keys(SHAPES).join(", ")}`);
  console.error(`node ${process.version}, ${fmt(events)} events, ${seconds} s per recommendation scenario; engines run one after the other`);
  console.log(shapes.map((shape) => table(shape, engines.map((engine) => runChild(engine, shape)))).join("\n\n"));
}
