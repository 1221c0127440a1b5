// SALSA walks on worker threads, over the owning engine's shared wasm memory: one writer (the thread
// that ingests) and many readers, as GraphJet serves its graph. Each walker thread has its own
// instance of the kernels, never started, and its own walk scratch; it only reads the graph.
//
// Walks must not overlap a change of the graph (a merge moves its arrays), so the owner brackets every
// change with `exclusive`: it raises the pause flag and waits for walks in progress to end, and
// walkers check the flag before each walk. Both sides use sequentially consistent atomics on one
// control array: [paused, walking of walker 0, walking of walker 1, ...].
import { Worker } from "node:worker_threads";
import type { KernelExports } from "./wasm-loader.js";

/** One walk, as the kernels' `recommend` takes it (the walker adds its scratch). */
export interface WalkJob {
  graph: number;
  itemIds: number;
  user: number;
  limit: number;
  walks: number;
  walkLength: number;
  resetThreshold: number;
  seed: number;
}

interface Pending {
  resolve(rows: Float64Array): void;
  reject(error: Error): void;
}

interface Walker {
  worker: Worker;
  scratch: number;
  pending: Map<number, Pending>;
}

type WalkerReply = { id: number; rows: Float64Array } | { id: number; error: string };

const PAUSED = 0;

export class WalkerPool {
  private readonly control: Int32Array;
  private readonly walkers: (Walker | undefined)[];
  private nextId = 0;
  private closed = false;

  constructor(
    private readonly module: WebAssembly.Module,
    private readonly kernels: KernelExports,
    threads: number,
  ) {
    this.control = new Int32Array(new SharedArrayBuffer(4 * (threads + 1)));
    this.walkers = Array.from({ length: threads }, () => undefined);
  }

  /** Rows (id, score, id, score, ...) of one walk, computed on the least busy walker. */
  run(job: WalkJob): Promise<Float64Array> {
    if (this.closed) return Promise.reject(new Error("profile-store: the store is closed"));
    const walker = this.leastBusy();
    const id = this.nextId++;
    return new Promise<Float64Array>((resolve, reject) => {
      walker.pending.set(id, { resolve, reject });
      if (walker.pending.size === 1) walker.worker.ref();
      walker.worker.postMessage({ id, ...job });
    });
  }

  /**
   * Runs `change` with every walk finished and no new one started; then resizes the walkers' scratch.
   * Once closed, the walkers' results are discarded, so their walks are not waited for.
   */
  exclusive(change: () => void): void {
    Atomics.store(this.control, PAUSED, 1);
    try {
      for (let slot = 1; slot < this.control.length && !this.closed; slot++) {
        while (Atomics.load(this.control, slot) === 1) Atomics.wait(this.control, slot, 1);
      }
      change();
      for (const walker of this.walkers) if (walker) this.kernels.prepareWalkScratch(walker.scratch);
    } finally {
      Atomics.store(this.control, PAUSED, 0);
      Atomics.notify(this.control, PAUSED);
    }
  }

  /** Stops the walker threads; walks not done yet fail. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const error = new Error("profile-store: the store was closed before the walk ended");
    await Promise.all(
      this.walkers.map(async (walker, index) => {
        if (!walker) return;
        this.fail(index, walker, error);
        await walker.worker.terminate();
      }),
    );
  }

  private leastBusy(): Walker {
    let best = 0;
    for (let index = 0; index < this.walkers.length; index++) {
      const walker = this.walkers[index];
      if (!walker) return this.start(index);
      if (walker.pending.size < this.walkers[best]!.pending.size) best = index;
    }
    return this.walkers[best]!;
  }

  /** Threads start on first use, so a store that never walks off-thread costs nothing. */
  private start(index: number): Walker {
    const scratch = this.kernels.newWalkScratch();
    this.kernels.prepareWalkScratch(scratch);
    const output = this.kernels.walkScratchOutput(scratch);
    const workerData = { module: this.module, memory: this.kernels.memory, control: this.control, slot: index + 1, scratch, output };
    const worker = new Worker(WALKER_SOURCE, { eval: true, workerData });
    worker.unref();
    const walker: Walker = { worker, scratch, pending: new Map() };
    worker.on("message", (reply: WalkerReply) => this.settle(walker, reply));
    const fail = (error: Error) => this.fail(index, walker, error);
    worker.on("error", fail);
    worker.on("exit", (code) => fail(new Error(`profile-store: walker thread exited with code ${code}`)));
    this.walkers[index] = walker;
    return walker;
  }

  private settle(walker: Walker, reply: WalkerReply): void {
    const pending = walker.pending.get(reply.id);
    if (!pending) return;
    walker.pending.delete(reply.id);
    if (walker.pending.size === 0) walker.worker.unref();
    if ("error" in reply) pending.reject(new Error(`profile-store: walk failed: ${reply.error}`));
    else pending.resolve(reply.rows);
  }

  /** A dead walker's walks fail; the next walk starts a new thread in its place. */
  private fail(index: number, walker: Walker, error: Error): void {
    if (this.walkers[index] !== walker) return;
    this.walkers[index] = undefined;
    Atomics.store(this.control, index + 1, 0);
    for (const pending of walker.pending.values()) pending.reject(error);
    walker.pending.clear();
  }
}

interface WalkerData {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: Int32Array;
  slot: number;
  scratch: number;
  output: number;
}

/**
 * The walker thread's code. It runs as source in the thread (`eval`), so it uses nothing from outside
 * its own body: it instantiates the kernels over the shared memory without starting them, then walks
 * each job, after announcing the walk and checking the pause flag (the other half of `exclusive`).
 * No function inside is bound to a name: tsx would wrap it in a helper the thread does not have.
 */
function walkerThread({ parentPort, workerData }: typeof import("node:worker_threads")): void {
  const { module, memory, control, slot, scratch, output } = workerData as WalkerData;
  const env = {
    memory,
    abort(_message: number, _file: number, line: number, column: number) {
      throw new Error(`wasm kernel aborted at ${line}:${column}`);
    },
  };
  const kernels = new WebAssembly.Instance(module, { env }).exports as unknown as KernelExports;
  parentPort!.on("message", (job: WalkJob & { id: number }) => {
    for (;;) {
      Atomics.store(control, slot, 1);
      if (Atomics.load(control, 0) === 0) break;
      Atomics.store(control, slot, 0);
      Atomics.notify(control, slot);
      Atomics.wait(control, 0, 1);
    }
    try {
      const rows = kernels.recommend(
        job.graph,
        job.itemIds,
        job.user,
        job.limit,
        job.walks,
        job.walkLength,
        job.resetThreshold,
        job.seed,
        scratch,
      );
      const result = new Float64Array(memory.buffer, output, rows * 2).slice();
      Atomics.store(control, slot, 0);
      Atomics.notify(control, slot);
      parentPort!.postMessage({ id: job.id, rows: result }, [result.buffer]);
    } catch (error) {
      Atomics.store(control, slot, 0);
      Atomics.notify(control, slot);
      parentPort!.postMessage({ id: job.id, error: String(error) });
    }
  });
}

const WALKER_SOURCE = `(${walkerThread.toString()})(require("node:worker_threads"));`;
