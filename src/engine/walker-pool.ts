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

/** One request, as the kernels' `recommend` (SALSA) or `recommendExact` take it (the walker adds its scratch). */
export interface WalkJob {
  exact: boolean;
  graph: number;
  itemIds: number;
  counts: number;
  user: number;
  limit: number;
  walks: number;
  walkLength: number;
  resetThreshold: number;
  seed: number;
  popularityPenalty: number;
  neighbours: number;
  itemExponent: number;
  userExponent: number;
  hubCap: number;
  /** The kernels' code of the edge weighting (WEIGHT_PAIR, WEIGHT_PLAY, WEIGHT_LOG). */
  weighting: number;
  ridge: number;
}

/** Runs one job on an instance with its scratch; returns the row count (negative: scratch too small). */
export function runWalkJob(kernels: KernelExports, job: WalkJob, scratch: number): number {
  return job.exact
    ? kernels.recommendExact(job.graph, job.itemIds, job.counts, job.user, job.limit, job.seed, job.popularityPenalty, job.neighbours, job.itemExponent, job.userExponent, job.hubCap, job.weighting, job.ridge, scratch)
    : kernels.recommend(job.graph, job.itemIds, job.user, job.limit, job.walks, job.walkLength, job.resetThreshold, job.seed, job.popularityPenalty, scratch);
}

interface Pending {
  resolve(rows: Float64Array): void;
  reject(error: Error): void;
}

interface Walker {
  /** Its place in `walkers`; its flag in the control array is at index + 1. */
  index: number;
  worker: Worker;
  scratch: number;
  pending: Map<number, Pending>;
}

type WalkerReply = { id: number; rows: Float64Array } | { id: number; error: string };

const PAUSED = 0;

export class WalkerPool {
  private readonly control: Int32Array;
  /** The walker serving each place; a place is free again once its thread failed a walk or exited. */
  private readonly walkers: (Walker | undefined)[];
  /** Walk scratches of walker threads not exited yet (a retired thread keeps its scratch until it exits). */
  private readonly allocatedScratches = new Set<number>();
  private nextId = 0;
  private closing: Promise<void> | undefined;

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
    if (this.closing) return Promise.reject(new Error("profile-store: the store is closed"));
    const walker = this.leastBusy();
    const id = this.nextId++;
    return new Promise<Float64Array>((resolve, reject) => {
      walker.pending.set(id, { resolve, reject });
      if (walker.pending.size === 1) walker.worker.ref();
      walker.worker.postMessage({ id, ...job });
    });
  }

  /** Runs `change` with every walk finished and no new one started; then resizes the walkers' scratch. */
  exclusive(change: () => void): void {
    Atomics.store(this.control, PAUSED, 1);
    try {
      this.waitForWalks();
      change();
    } finally {
      this.resume();
    }
  }

  /** Addresses of the walk scratches the walker threads hold in the shared memory. */
  scratches(): number[] {
    return [...this.allocatedScratches];
  }

  /** Stops the walker threads, after the walks in progress; walks not done yet fail. */
  close(): Promise<void> {
    this.closing ??= this.stop();
    return this.closing;
  }

  private async stop(): Promise<void> {
    Atomics.store(this.control, PAUSED, 1); // for good: no walk starts again
    this.waitForWalks();
    const error = new Error("profile-store: the store was closed before the walk ended");
    const walkers = this.walkers.filter((walker) => walker !== undefined);
    for (const walker of walkers) rejectAll(walker, error);
    await Promise.all(walkers.map((walker) => walker.worker.terminate()));
  }

  /**
   * Waits until no walker is inside a walk. A walker leaves its walk on every path (see its
   * `finally`), so this waits at most for the longest walk in progress.
   */
  private waitForWalks(): void {
    for (let slot = 1; slot < this.control.length; slot++) {
      while (Atomics.load(this.control, slot) === 1) Atomics.wait(this.control, slot, 1);
    }
  }

  /** Sizes every walker's scratch for the graph as it is now, then lets the walkers go on (unless closing). */
  private resume(): void {
    try {
      for (const walker of this.walkers) if (walker) this.kernels.prepareWalkScratch(walker.scratch);
    } finally {
      // A scratch left too small (say, the heap is full) makes its walks fail, never write outside it.
      if (!this.closing) {
        Atomics.store(this.control, PAUSED, 0);
        Atomics.notify(this.control, PAUSED);
      }
    }
  }

  private leastBusy(): Walker {
    let best: Walker | undefined;
    for (let index = 0; index < this.walkers.length; index++) {
      const walker = this.walkers[index] ?? this.start(index);
      if (!best || walker.pending.size < best.pending.size) best = walker;
      if (best.pending.size === 0) break;
    }
    return best!;
  }

  /** Threads start on first use, so a store that never walks off-thread costs nothing. */
  private start(index: number): Walker {
    const scratch = this.kernels.newWalkScratch();
    this.allocatedScratches.add(scratch);
    this.kernels.prepareWalkScratch(scratch);
    const output = this.kernels.walkScratchOutput(scratch);
    const workerData = { module: this.module, memory: this.kernels.memory, control: this.control, slot: index + 1, scratch, output };
    const worker = new Worker(WALKER_SOURCE, { eval: true, workerData });
    worker.unref();
    const walker: Walker = { index, worker, scratch, pending: new Map() };
    let failure: unknown;
    worker.on("message", (reply: WalkerReply) => this.settle(walker, reply));
    // A reply that cannot be read would leave its walk waiting: end the thread instead.
    worker.on("messageerror", (error) => {
      failure = error;
      void worker.terminate();
    });
    worker.on("error", (error) => {
      failure = error;
    });
    worker.on("exit", (code) => {
      const cause = failure === undefined ? "" : `: ${String(failure)}`;
      rejectAll(walker, new Error(`profile-store: walker thread stopped (exit code ${code})${cause}`));
      this.kernels.freeWalkScratch(scratch);
      this.allocatedScratches.delete(scratch);
      this.retire(walker);
    });
    this.walkers[index] = walker;
    return walker;
  }

  private settle(walker: Walker, reply: WalkerReply): void {
    const pending = walker.pending.get(reply.id);
    if (!pending) return;
    walker.pending.delete(reply.id);
    if (walker.pending.size === 0) walker.worker.unref();
    if ("rows" in reply) return pending.resolve(reply.rows);
    // The thread ends after a failed walk (and will not walk again): new walks go to a new thread.
    this.retire(walker);
    pending.reject(new Error(`profile-store: walk failed: ${reply.error}`));
  }

  private retire(walker: Walker): void {
    if (this.walkers[walker.index] === walker) this.walkers[walker.index] = undefined;
  }
}

function rejectAll(walker: Walker, error: Error): void {
  for (const pending of walker.pending.values()) pending.reject(error);
  walker.pending.clear();
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
 * its own body and runWalkJob: it instantiates the kernels over the shared memory without starting them, then walks
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
    let reply;
    try {
      const rows = runWalkJob(kernels, job, scratch);
      if (rows < 0) throw new Error("walk scratch too small for the graph");
      reply = { id: job.id, rows: new Float64Array(memory.buffer, output, rows * 2).slice() };
    } catch (error) {
      reply = { id: job.id, error: String(error) };
    } finally {
      Atomics.store(control, slot, 0);
      Atomics.notify(control, slot);
    }
    if ("rows" in reply) {
      parentPort!.postMessage(reply, [reply.rows.buffer]);
    } else {
      // A walk that failed may have left visit counts in the scratch: this thread ends (closing its
      // port after the reply), and the pool starts a new one with a new scratch.
      parentPort!.postMessage(reply);
      parentPort!.close();
    }
  });
}

// runWalkJob goes along as source: the thread's code sees nothing else of this module.
const WALKER_SOURCE = `const runWalkJob = ${runWalkJob.toString()};\n(${walkerThread.toString()})(require("node:worker_threads"));`;
