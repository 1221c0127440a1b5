// Loads the kernels synchronously: the module is compiled once at import, each engine gets its own
// instance and its own linear memory. The memory is shared, so that walker threads can instantiate
// the same module over it (src/engine/walker-pool.ts).
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { packageFile } from "../package-file.js";

/** The wasm exports, as numbers in and numbers out. */
export interface KernelExports {
  memory: WebAssembly.Memory;
  /** Initializes the instance's heap and state: the owning instance only, once. */
  _start(): void;
  eventWindow(): number;
  outputWindow(): number;
  init(chartSize: number, maxEdges: number): void;
  ingest(count: number): void;
  /** One thread's part (0 or 1) of a phase (0, then 1) of a parallel ingest: src/engine/ingest-helper.ts. */
  ingestPart(phase: number, part: number, count: number): void;
  /** The address of the owner's ingest state and heap, which the helper's instance adopts. */
  ingestContext(): number;
  adoptIngest(context: number): void;
  findUser(id: number): number;
  profile(user: number): void;
  chart(field: number, user: number, k: number): number;
  playCount(field: number, user: number, id: number): number;
  topUsers(byPlays: boolean, limit: number): number;
  newWalkScratch(): number;
  prepareWalkScratch(scratch: number): void;
  freeWalkScratch(scratch: number): void;
  walkScratchOutput(scratch: number): number;
  graphAddress(field: number): number;
  itemIdsAddress(field: number): number;
  /** The row count, or -1 when the scratch is too small (not prepared since the last ingest). */
  recommend(
    graph: number,
    itemIds: number,
    user: number,
    limit: number,
    walks: number,
    walkLength: number,
    resetThreshold: number,
    seed: number,
    popularityPenalty: number,
    scratch: number,
  ): number;
  playCountsAddress(field: number): number;
  /** The exact walk's rows, or -1 as `recommend`. */
  recommendExact(
    graph: number,
    itemIds: number,
    counts: number,
    user: number,
    limit: number,
    seed: number,
    popularityPenalty: number,
    neighbours: number,
    itemExponent: number,
    userExponent: number,
    hubCap: number,
    weighting: number,
    ridge: number,
    scratch: number,
  ): number;
  findItem(field: number, id: number): number;
  degree(field: number, side: number, node: number): number;
  /** Writes up to 2 * OUTPUT_ROWS neighbour ids from `offset` on into the output window; returns how many. */
  neighbours(field: number, side: number, node: number, offset: number): number;
  compact(): void;
  userCount(): number;
  itemCount(field: number): number;
  edgeCount(field: number): number;
  graphBytes(field: number): number;
  itemIdBytes(field: number): number;
  userIdBytes(): number;
  chartBytes(field: number): number;
  metricsBytes(): number;
  liveBytes(): number;
  freePageBytes(): number;
  pairCount(field: number): number;
}

const kernelBytes = readFileSync(packageFile("build/profile-store.wasm", 'run "npm run build:wasm"'));
export const kernelModule = new WebAssembly.Module(kernelBytes);
/** The module's identity: a snapshot of linear memory restores only into the very build that wrote it. */
export const KERNEL_BUILD = `wasm-sha256:${createHash("sha256").update(kernelBytes).digest("hex")}`;

/** Pages of 64 KiB, as asconfig.json declares them; shared memory needs a maximum (4 GiB, all of wasm32). */
export const PAGE_BYTES = 65536;
const INITIAL_PAGES = 16;
export const MAXIMUM_PAGES = 65536;

/** A new instance with its own memory, started. (Walker threads instantiate over it, unstarted.) */
export function instantiateKernels(): KernelExports {
  const memory = new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: MAXIMUM_PAGES, shared: true });
  const abort = (_message: number, _file: number, line: number, column: number) => {
    throw new Error(`profile-store: wasm kernel aborted at ${line}:${column}`);
  };
  const kernels = new WebAssembly.Instance(kernelModule, { env: { memory, abort } }).exports as unknown as KernelExports;
  kernels._start();
  return kernels;
}
