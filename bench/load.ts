// What the HTTP and GraphQL benchmarks share: the load generator in a child process (bench/http-load.ts,
// started once), a measured round of load against the service, shuffled users, formatting.
import { fork, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type autocannon from "autocannon";
import { Mulberry32 } from "../src/engine/random.js";
import { createGenerator } from "../src/ingest/generator.js";
import { DEMO_DEFAULTS } from "../src/service/settings.js";

/** The options both benchmarks take: events loaded, seconds per measurement split over rounds, connections. */
export function readLoadOptions() {
  const { values } = parseArgs({
    options: {
      events: { type: "string", default: "1000000" },
      seconds: { type: "string", default: "20" },
      rounds: { type: "string", default: "10" },
      connections: { type: "string", default: "10" },
    },
  });
  const rounds = Number(values.rounds);
  return { events: Number(values.events), rounds, roundSeconds: Number(values.seconds) / rounds, connections: Number(values.connections) };
}

/** Left out at both ends of a round: autocannon opening and closing its connections. */
const SAMPLE_MARGIN_MS = 250;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface Measurement {
  requests: number;
  seconds: number;
  p50: number;
  p99: number;
  errors: number;
  /** Time the calling thread (in process) or the HTTP thread was busy. */
  busyMs: number;
}

/** The load generator process, and one autocannon run in it at a time. */
export class LoadGenerator {
  private readonly child: ChildProcess = fork(fileURLToPath(new URL("./http-load.js", import.meta.url)));

  async run(options: autocannon.Options): Promise<autocannon.Result> {
    const result = once(this.child, "message");
    this.child.send(options);
    return (await result)[0] as autocannon.Result;
  }

  close(): void {
    this.child.disconnect();
  }
}

/**
 * One round of `requests` (cycled by each connection) for `seconds`. The rate and busy time are the
 * server's own (`responses` counts what it answered), over the round less its margins.
 */
export async function measureRound(
  load: LoadGenerator,
  options: Omit<autocannon.Options, "duration">,
  seconds: number,
  responses: () => number,
): Promise<Measurement> {
  const run = load.run({ ...options, duration: seconds });
  await sleep(SAMPLE_MARGIN_MS);
  const [loopBefore, before, start] = [performance.eventLoopUtilization(), responses(), performance.now()];
  await sleep(seconds * 1000 - 2 * SAMPLE_MARGIN_MS);
  const [loop, windowMs, after] = [performance.eventLoopUtilization(loopBefore), performance.now() - start, responses()];
  const result = await run;
  return {
    requests: after - before,
    seconds: windowMs / 1000,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    busyMs: loop.active,
  };
}

/** Every listener of the demo's first `events` generated events (the generator is deterministic), shuffled. */
export function demoUsers(events: number): number[] {
  const users = new Set<number>();
  for (const batch of createGenerator({ ...DEMO_DEFAULTS, events }).eventBatches(events)) for (const id of batch.userId) users.add(id);
  return shuffle([...users]);
}

/** The same list in a fixed shuffled order (activity is skewed, so the order matters). */
export function shuffle(ids: number[]): number[] {
  const random = new Mulberry32(42);
  for (let i = ids.length - 1; i > 0; i--) {
    const j = random.below(i + 1);
    [ids[i], ids[j]] = [ids[j]!, ids[i]!];
  }
  return ids;
}

/** The list started at round's share of it, so each round starts somewhere else. */
export function rotated<T>(list: T[], round: number, rounds: number): T[] {
  const offset = Math.floor((round * list.length) / rounds);
  return [...list.slice(offset), ...list.slice(0, offset)];
}

/** Of sorted values. */
export const median = (sorted: number[]) => sorted[Math.floor(sorted.length / 2)]!;

export const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
/** autocannon records whole milliseconds. */
export const wholeMs = (ms: number) => (ms < 1 ? "<1" : fmt(ms));
