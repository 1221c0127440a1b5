// The walker pool on its own, over kernels driven directly: what happens when a walk fails or when the
// graph changed without the pool being told.
import { afterEach, describe, expect, it } from "vitest";
import { EVENT_WINDOW } from "../assembly/constants.js";
import { WalkerPool, type WalkJob } from "../src/engine/walker-pool.js";
import { instantiateKernels, kernelModule, type KernelExports } from "../src/engine/wasm-loader.js";

const pools: WalkerPool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.close()));
});

/** Kernels holding `users` users who each played items 0..items-1 once (ARTIST, ALBUM and TRACK alike). */
function kernelsWith(users: number, items: number): KernelExports {
  const kernels = instantiateKernels();
  kernels.init(10, 0);
  ingestDirectly(kernels, users, items);
  return kernels;
}

/** Ingests without the pool knowing, as no caller of the engine can. */
function ingestDirectly(kernels: KernelExports, users: number, items: number, firstItem = 0): void {
  const count = users * items;
  const columns = Array.from({ length: 5 }, (_, c) => new Float64Array(kernels.memory.buffer, kernels.eventWindow() + c * EVENT_WINDOW * 8, count));
  for (let row = 0; row < count; row++) {
    columns[0]![row] = Math.floor(row / items);
    for (let field = 1; field <= 3; field++) columns[field]![row] = firstItem + (row % items);
    columns[4]![row] = 1_200_000_000_000 + row;
  }
  kernels.ingest(count);
}

const jobFor = (kernels: KernelExports, user: number): WalkJob => ({
  exact: false,
  graph: kernels.graphAddress(0),
  itemIds: kernels.itemIdsAddress(0),
  counts: kernels.playCountsAddress(0),
  user,
  popularityPenalty: 0,
  neighbours: 0,
  itemExponent: 1,
  userExponent: 1,
  hubCap: 1000,
  weighting: 0,
  ridge: 0,
  limit: 10,
  walks: 100,
  walkLength: 10,
  resetThreshold: 0,
  seed: 1,
});

describe("WalkerPool", () => {
  it("ends a walker whose walk failed, and walks the next job on a new one", async () => {
    const kernels = kernelsWith(4, 20);
    const pool = new WalkerPool(kernelModule, kernels, 1);
    pools.push(pool);
    const outsideMemory = { ...jobFor(kernels, 0), graph: 0xfffffff0 };
    const [failed, queued] = [pool.run(outsideMemory), pool.run(jobFor(kernels, 0))];
    await expect(failed).rejects.toThrow("profile-store: walk failed: RuntimeError: memory access out of bounds");
    await expect(queued).rejects.toThrow("profile-store: walker thread stopped (exit code 0)");
    const rows = await pool.run(jobFor(kernels, 0));
    expect(rows).toBeInstanceOf(Float64Array);
    expect(rows.length).toBe(0); // user 0 played every item: nothing left to recommend
  });

  it("refuses to walk with a scratch smaller than the graph's items instead of writing past it", async () => {
    const kernels = kernelsWith(4, 20);
    const pool = new WalkerPool(kernelModule, kernels, 1);
    pools.push(pool);
    expect(await pool.run(jobFor(kernels, 1))).toHaveLength(0);
    ingestDirectly(kernels, 2, 5000, 1000);
    await expect(pool.run(jobFor(kernels, 1))).rejects.toThrow("profile-store: walk failed: Error: walk scratch too small for the graph");
    // The next walk runs on a new thread, whose new scratch fits (user 2 has not played items 1000 and up).
    expect((await pool.run(jobFor(kernels, 2))).length).toBeGreaterThan(0);
  });
});
