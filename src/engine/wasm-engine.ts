// The wasm implementation of Engine: the validator writes events straight into the kernel's event
// window (views over wasm memory), and results are read from its output window. Views are re-created whenever memory has grown.
// With walker threads, `recommendAsync` walks on them, and every change of the graph waits for the
// walks in progress (WalkerPool.exclusive).
import { isDeepStrictEqual } from "node:util";
import { z } from "zod";
import { EVENT_WINDOW, OUTPUT_ROWS, WEIGHT_LOG, WEIGHT_PAIR, WEIGHT_PLAY } from "../../assembly/constants.js";
import { SnapshotError } from "../snapshot/errors.js";
import { EVENT_COLUMNS, FIELDS, type EdgeWeight, type EventBatch, type Field, type ListenerOrder, type Profile, type RecommendParams } from "../types.js";
import type { Engine, EngineImage, EngineOptions, EngineStats, FieldStats, GraphSide, RankedId, StoredImage } from "./engine.js";
import { copyRuns, dataRuns, restoreTargets, runsProblem } from "./memory-image.js";
import { instantiateKernels, kernelModule, MAXIMUM_PAGES, PAGE_BYTES, type KernelExports } from "./wasm-loader.js";
import { resetThreshold } from "./random.js";
import { runWalkJob, WalkerPool, type WalkJob } from "./walker-pool.js";
import { HELPER_START_EVENTS, IngestHelper, PARALLEL_MIN_EVENTS } from "./ingest-helper.js";

/**
 * A snapshot of this engine is its linear memory, byte for byte (its zero chunks left out:
 * memory-image.ts). That holds the whole state because
 * the kernels keep every structure in memory (TLSF heap blocks, @unmanaged classes) and their mutable
 * globals are either addresses computed by the start function and init, the same in every instance
 * of one build started with the same options (the heap's root among them), or scratch values set
 * before each use (the walk's random state). So a restore starts a fresh instance the same way,
 * checks that its addresses are the image's, and copies the image over its memory.
 */
const runSchema = z.object({ start: z.number().int().min(0), bytes: z.number().int().min(0) });
const wasmLayoutSchema = z.object({
  /** Event and output windows, this thread's walk scratch, and per field the graph and the item id map. */
  addresses: z.array(z.number()),
  /** The walker threads' walk scratches: freed after a restore, whose walker threads bring new ones. */
  walkerScratches: z.array(z.number().int().min(0)),
  /** The memory's size, and the runs of it that the image holds (the rest is zeros). */
  memoryBytes: z.number().int().min(0),
  runs: z.array(runSchema),
});

/** The kernels' code of each edge weighting. */
const WEIGHTINGS: Record<EdgeWeight, number> = { pair: WEIGHT_PAIR, play: WEIGHT_PLAY, log: WEIGHT_LOG };

export class WasmEngine implements Engine {
  readonly kind = "wasm";
  private readonly kernels: KernelExports;
  private buffer: ArrayBuffer | undefined;
  private eventViews = {} as EventBatch;
  private outputView = new Float64Array(0);
  /** This thread's walk scratch, and where its rows are. */
  private readonly scratch: number;
  private scratchView = new Float64Array(0);
  /** Per field (FIELDS order): the graph, item id map and play count addresses the walks take. */
  private readonly addresses: { graph: number; itemIds: number; counts: number }[];
  private readonly walkers: WalkerPool | undefined;
  /** Started by the first call large enough to use it (with ingestThreads 2), as walker threads are. */
  private helper: IngestHelper | undefined;
  private readonly ingestThreads: number;
  /** Event windows applied on two threads so far (for tests: that the helper did take part). */
  parallelWindows = 0;

  constructor(options: EngineOptions) {
    this.kernels = instantiateKernels();
    this.kernels.init(options.chartSize, options.maxEdgesPerGraph);
    this.scratch = this.kernels.newWalkScratch();
    this.addresses = FIELDS.map((_, f) => ({ graph: this.kernels.graphAddress(f), itemIds: this.kernels.itemIdsAddress(f), counts: this.kernels.playCountsAddress(f) }));
    if (options.walkerThreads > 0) this.walkers = new WalkerPool(kernelModule, this.kernels, options.walkerThreads);
    this.ingestThreads = options.ingestThreads;
  }

  /** A new engine whose memory is the image's: the same build, started with the same options. */
  static async restore(options: EngineOptions, image: StoredImage): Promise<WasmEngine> {
    const engine = new WasmEngine(options);
    await engine.adopt(image);
    return engine;
  }

  capture(): EngineImage {
    const memory = new Uint8Array(this.kernels.memory.buffer);
    const runs = dataRuns(memory);
    const layout = { addresses: this.layoutAddresses(), walkerScratches: this.walkers?.scratches() ?? [], memoryBytes: memory.byteLength, runs } satisfies z.infer<typeof wasmLayoutSchema>;
    // The scan and the copy are the whole pause.
    return { layout, bytes: copyRuns(memory, runs) };
  }

  private layoutAddresses(): number[] {
    const k = this.kernels;
    return [k.eventWindow(), k.outputWindow(), this.scratch, ...this.addresses.flatMap(({ graph, itemIds }) => [graph, itemIds])];
  }

  /** Grows this fresh engine's memory to the image's size and reads the image over it. */
  private async adopt(image: StoredImage): Promise<void> {
    const layout = wasmLayoutSchema.safeParse(image.layout);
    if (!layout.success) throw new SnapshotError("corrupt", image.path, `its wasm layout is not one: ${z.prettifyError(layout.error)}`);
    const addresses = this.layoutAddresses();
    if (!isDeepStrictEqual(layout.data.addresses, addresses)) {
      throw new SnapshotError("build", image.path, `its kernel addresses ${layout.data.addresses.join(",")} are not this instance's ${addresses.join(",")}`);
    }
    const memory = this.kernels.memory;
    const current = memory.buffer.byteLength;
    const { memoryBytes, runs } = layout.data;
    if (memoryBytes % PAGE_BYTES !== 0 || memoryBytes < current || memoryBytes > MAXIMUM_PAGES * PAGE_BYTES) {
      throw new SnapshotError("corrupt", image.path, `a memory of ${memoryBytes} bytes: not whole pages from ${current} to ${MAXIMUM_PAGES * PAGE_BYTES} bytes`);
    }
    const problem = runsProblem(runs, memoryBytes, image.bytes);
    if (problem !== undefined) throw new SnapshotError("corrupt", image.path, `its memory runs do not fit: ${problem}`);
    memory.grow((memoryBytes - current) / PAGE_BYTES);
    await image.readInto(restoreTargets(new Uint8Array(memory.buffer), runs, current));
    for (const scratch of layout.data.walkerScratches) this.kernels.freeWalkScratch(scratch);
  }

  /** Views over wasm memory die when it grows; rebuild them when the buffer changed. */
  private views(): void {
    const buffer = this.kernels.memory.buffer;
    if (buffer === this.buffer) return;
    this.buffer = buffer;
    const window = this.kernels.eventWindow();
    EVENT_COLUMNS.forEach((name, i) => (this.eventViews[name] = new Float64Array(buffer, window + i * EVENT_WINDOW * 8, EVENT_WINDOW)));
    this.outputView = new Float64Array(buffer, this.kernels.outputWindow(), OUTPUT_ROWS * 2);
    this.scratchView = new Float64Array(buffer, this.kernels.walkScratchOutput(this.scratch), OUTPUT_ROWS * 2);
  }

  /** Changes the graph, with no walk running on a walker thread meanwhile. */
  private change(apply: () => void): void {
    if (this.walkers) this.walkers.exclusive(apply);
    else apply();
  }

  window(): EventBatch {
    this.views();
    return this.eventViews;
  }

  /** Walks never read the event window, so it is filled while they run; only applying it waits. A
   *  window is applied on two threads once a large call has started the helper (see ingest-helper.ts). */
  apply(count: number): void {
    if (count >= HELPER_START_EVENTS && this.ingestThreads > 1) this.helper ??= new IngestHelper(kernelModule, this.kernels);
    const helper = this.helper;
    this.change(() => {
      if (helper?.ready && count >= PARALLEL_MIN_EVENTS) {
        for (const phase of [0, 1]) helper.together(phase, count, () => this.kernels.ingestPart(phase, 0, count));
        this.parallelWindows++;
      } else {
        this.kernels.ingest(count);
      }
    });
  }

  private user(userId: number): number {
    return this.kernels.findUser(userId);
  }

  profile(userId: number): Profile | undefined {
    const user = this.user(userId);
    if (user < 0) return undefined;
    this.kernels.profile(user);
    this.views();
    const row = this.outputView;
    return { userId, totalListenCount: row[0]!, firstListenEvent: row[1]!, lastListenEvent: row[2]! };
  }

  chart(userId: number, field: Field, k: number): RankedId[] {
    const user = this.user(userId);
    if (user < 0) return [];
    return this.readRows(this.kernels.chart(fieldIndex(field), user, k));
  }

  topUsers(order: ListenerOrder, limit: number): RankedId[] {
    return this.readRows(this.kernels.topUsers(order === "MOST_ACTIVE", limit));
  }

  playCount(userId: number, field: Field, itemId: number): number {
    const user = this.user(userId);
    return user < 0 ? 0 : this.kernels.playCount(fieldIndex(field), user, itemId);
  }

  recommend(userId: number, field: Field, params: RecommendParams): RankedId[] {
    const job = this.walkJob(userId, field, params);
    if (!job) return [];
    const k = this.kernels;
    k.prepareWalkScratch(this.scratch);
    const rows = runWalkJob(k, job, this.scratch);
    if (rows < 0) throw new Error("profile-store: walk scratch too small for the graph");
    this.views();
    return toRanked(this.scratchView, rows);
  }

  async recommendAsync(userId: number, field: Field, params: RecommendParams): Promise<RankedId[]> {
    if (!this.walkers) return this.recommend(userId, field, params);
    const job = this.walkJob(userId, field, params);
    if (!job) return [];
    const rows = await this.walkers.run(job);
    return toRanked(rows, rows.length / 2);
  }

  /** The kernel call for a known user; undefined for an unknown one. */
  private walkJob(userId: number, field: Field, params: RecommendParams): WalkJob | undefined {
    const user = this.user(userId);
    if (user < 0) return undefined;
    return {
      ...this.addresses[fieldIndex(field)]!,
      exact: params.method === "exact",
      user,
      limit: params.limit,
      walks: params.walks,
      walkLength: params.walkLength,
      resetThreshold: resetThreshold(params.resetProbability),
      seed: params.seed >>> 0,
      popularityPenalty: params.popularityPenalty,
      neighbours: params.neighbours,
      itemExponent: params.itemExponent,
      userExponent: params.userExponent,
      hubCap: params.hubCap,
      weighting: WEIGHTINGS[params.edgeWeight],
      ridge: params.ridge,
    };
  }

  private readRows(rows: number): RankedId[] {
    this.views();
    return toRanked(this.outputView, rows);
  }

  neighbours(field: Field, side: GraphSide, id: number): number[] {
    const k = this.kernels;
    const f = fieldIndex(field);
    const s = side === "user" ? 0 : 1;
    const node = side === "user" ? this.user(id) : k.findItem(f, id);
    if (node < 0) return [];
    const degree = k.degree(f, s, node);
    const ids: number[] = [];
    while (ids.length < degree) {
      const count = k.neighbours(f, s, node, ids.length);
      this.views();
      for (let i = 0; i < count; i++) ids.push(this.outputView[i]!);
    }
    return ids;
  }

  compact(): void {
    this.change(() => this.kernels.compact());
  }

  async close(): Promise<void> {
    await Promise.all([this.walkers?.close(), this.helper?.close()]);
  }

  stats(): EngineStats {
    const k = this.kernels;
    const fields = {} as Record<Field, FieldStats>;
    FIELDS.forEach((field, f) => {
      fields[field] = {
        items: k.itemCount(f),
        edges: k.edgeCount(f),
        pairs: k.pairCount(f),
        graphBytes: unsigned(k.graphBytes(f)),
        itemIdBytes: unsigned(k.itemIdBytes(f)),
        chartBytes: unsigned(k.chartBytes(f)),
      };
    });
    return { users: k.userCount(), fields, totalBytes: k.memory.buffer.byteLength, liveBytes: unsigned(k.liveBytes()), freePageBytes: unsigned(k.freePageBytes()) };
  }
}

/** A u32 of the kernels (byte counts reach 2^31 in a large store), which JavaScript receives as an i32. */
function unsigned(value: number): number {
  return value >>> 0;
}

/** Result rows (id, score) as objects. */
function toRanked(rows: Float64Array, count: number): RankedId[] {
  const out: RankedId[] = new Array(count);
  for (let i = 0; i < count; i++) out[i] = { id: rows[2 * i]!, score: rows[2 * i + 1]! };
  return out;
}

/** The kernels number the fields in FIELDS order; the field was validated at the SDK's edge. */
function fieldIndex(field: Field): number {
  return FIELDS.indexOf(field);
}
