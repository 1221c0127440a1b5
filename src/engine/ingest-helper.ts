// A second thread for large ingest calls. The kernels split a batch in two parts (assembly/index.ts,
// `ingestPart`): this thread runs part 0 while the helper thread runs part 1 on its own instance of
// the kernels over the same shared memory, allocating from the same heap under its lock. Ingest
// never overlaps a walk (WalkerPool.exclusive), so the core it takes is one no walk is using.
//
// The call is synchronous, like `ingest`: the owner hands the helper its part through a shared control
// array (Atomics.notify), runs its own part, and waits for the helper's (Atomics.wait, which Node allows
// on the main thread). The helper reports a failure in the control array and a shared message buffer.
import { Worker } from "node:worker_threads";
import type { KernelExports } from "./wasm-loader.js";

/** Control array words, passed to the helper thread too. */
const WORDS = { READY: 0, REQUEST: 1, PHASE: 2, COUNT: 3, DONE: 4, FAILED: 5 } as const;
const { READY, REQUEST, PHASE, COUNT, DONE, FAILED } = WORDS;
const CONTROL_WORDS = Object.keys(WORDS).length;
const MESSAGE_BYTES = 1024;

/** The first call of at least this many events starts the helper thread: a store fed only small
 *  calls (tests, a trickle of POSTs) never costs a thread. */
export const HELPER_START_EVENTS = 4096;
/** Once it runs, parts run together for calls of at least this many events: below it, handing a part
 *  over costs more than it saves. */
export const PARALLEL_MIN_EVENTS = 512;
/** How long either thread spins before it sleeps in Atomics.wait: a part handed over, the next phase
 *  or the next call of a stream of calls usually comes sooner, and waking a sleeping thread costs
 *  tens of µs, as long as a small call's whole part. */
const SPIN_MS = 0.2;
/** The helper's part of one window takes milliseconds; this long means the thread is gone. */
const HELPER_TIMEOUT_MS = 60_000;

export class IngestHelper {
  private readonly control = new Int32Array(new SharedArrayBuffer(4 * CONTROL_WORDS));
  private readonly message = new Uint8Array(new SharedArrayBuffer(MESSAGE_BYTES));
  private readonly worker: Worker;
  private exited = false;
  private failure: string | undefined;

  constructor(module: WebAssembly.Module, kernels: KernelExports) {
    const workerData = { module, memory: kernels.memory, context: kernels.ingestContext(), control: this.control, words: WORDS, spinMs: SPIN_MS, message: this.message };
    this.worker = new Worker(HELPER_SOURCE, { eval: true, workerData });
    this.worker.unref();
    this.worker.on("error", (error) => {
      this.failure ??= String(error);
    });
    this.worker.on("exit", () => {
      this.exited = true;
    });
  }

  /** Whether the helper can take a part: instantiated, never failed, still running. */
  get ready(): boolean {
    return !this.exited && this.failure === undefined && Atomics.load(this.control, READY) === 1;
  }

  /**
   * Runs the kernels' `phase` with the helper on part 1 and `ownPart` (part 0) here; returns when both
   * are done, throwing the first failure. Once the helper has failed, `ready` stays false.
   */
  together(phase: number, count: number, ownPart: () => void): void {
    const control = this.control;
    Atomics.store(control, PHASE, phase);
    Atomics.store(control, COUNT, count);
    const request = Atomics.add(control, REQUEST, 1) + 1;
    Atomics.notify(control, REQUEST);
    try {
      ownPart();
    } finally {
      this.waitFor(request);
    }
  }

  private waitFor(request: number): void {
    const control = this.control;
    const spinEnd = performance.now() + SPIN_MS;
    while (Atomics.load(control, DONE) !== request && performance.now() < spinEnd);
    const deadline = performance.now() + HELPER_TIMEOUT_MS;
    for (let done = Atomics.load(control, DONE); done !== request; done = Atomics.load(control, DONE)) {
      const left = deadline - performance.now();
      if (left <= 0 || Atomics.wait(control, DONE, done, left) === "timed-out") {
        this.failure = `no answer in ${HELPER_TIMEOUT_MS} ms`;
        void this.worker.terminate();
        throw new Error(`profile-store: the ingest helper thread gave ${this.failure}; the batch may be applied in part`);
      }
    }
    if (Atomics.load(control, FAILED) === 1) {
      const end = this.message.indexOf(0);
      this.failure = new TextDecoder().decode(this.message.slice(0, end < 0 ? MESSAGE_BYTES : end));
      void this.worker.terminate();
      throw new Error(`profile-store: the ingest helper thread failed: ${this.failure}`);
    }
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}

interface HelperData {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  context: number;
  control: Int32Array;
  words: typeof WORDS;
  spinMs: number;
  message: Uint8Array;
}

/**
 * The helper thread's code, run as source (`eval`), so it uses nothing from outside its own body and
 * its workerData. It instantiates the kernels over the shared memory without starting them, adopts the owner's ingest
 * state and heap, and then runs part 1 of each request.
 */
function helperThread({ workerData }: typeof import("node:worker_threads")): void {
  const { module, memory, context, control, words, spinMs, message } = workerData as HelperData;
  const env = {
    memory,
    abort(_message: number, _file: number, line: number, column: number) {
      throw new Error(`wasm kernel aborted at ${line}:${column}`);
    },
  };
  const kernels = new WebAssembly.Instance(module, { env }).exports as unknown as KernelExports;
  kernels.adoptIngest(context);
  Atomics.store(control, words.READY, 1);
  for (let seen = 0; ; ) {
    const spinEnd = performance.now() + spinMs;
    while (Atomics.load(control, words.REQUEST) === seen && performance.now() < spinEnd);
    Atomics.wait(control, words.REQUEST, seen);
    const request = Atomics.load(control, words.REQUEST);
    if (request === seen) continue;
    seen = request;
    let failed = 0;
    try {
      kernels.ingestPart(Atomics.load(control, words.PHASE), 1, Atomics.load(control, words.COUNT));
    } catch (error) {
      failed = 1;
      const text = new TextEncoder().encode(String(error)).slice(0, message.length - 1);
      message.fill(0);
      message.set(text);
    }
    Atomics.store(control, words.FAILED, failed);
    Atomics.store(control, words.DONE, seen);
    Atomics.notify(control, words.DONE);
  }
}

const HELPER_SOURCE = `(${helperThread.toString()})(require("node:worker_threads"));`;
