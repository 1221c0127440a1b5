// The wasm implementation of Engine: copies event columns into the kernel's event window in chunks
// and reads result rows from its output window. Views are re-created whenever memory has grown.
import { EVENT_WINDOW, OUTPUT_ROWS } from "../../assembly/constants.js";
import { FIELDS, type Field, type Profile, type RecommendParams } from "../types.js";
import type { Engine, EngineOptions, EngineStats, EventBatchColumns, FieldStats, RankedId } from "./engine.js";
import { instantiateKernels, type KernelExports } from "./wasm-loader.js";
import { resetThreshold } from "./random.js";

const COLUMNS = ["userId", "artistId", "albumId", "trackId", "timestamp"] as const;

export class WasmEngine implements Engine {
  readonly kind = "wasm";
  private readonly kernels: KernelExports;
  private buffer: ArrayBuffer | undefined;
  private eventViews: Float64Array[] = [];
  private outputView = new Float64Array(0);

  constructor(options: EngineOptions) {
    this.kernels = instantiateKernels();
    this.kernels.init(options.chartSize, options.maxEdgesPerGraph);
  }

  /** Views over wasm memory die when it grows; rebuild them when the buffer changed. */
  private views(): void {
    const buffer = this.kernels.memory.buffer;
    if (buffer === this.buffer) return;
    this.buffer = buffer;
    const window = this.kernels.eventWindow();
    this.eventViews = COLUMNS.map((_, i) => new Float64Array(buffer, window + i * EVENT_WINDOW * 8, EVENT_WINDOW));
    this.outputView = new Float64Array(buffer, this.kernels.outputWindow(), OUTPUT_ROWS * 2);
  }

  ingest(batch: EventBatchColumns, count: number): void {
    for (let start = 0; start < count; start += EVENT_WINDOW) {
      const end = Math.min(count, start + EVENT_WINDOW);
      this.views();
      COLUMNS.forEach((name, i) => this.eventViews[i]!.set(batch[name].subarray(start, end)));
      this.kernels.ingest(end - start);
    }
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

  playCount(userId: number, field: Field, itemId: number): number {
    const user = this.user(userId);
    return user < 0 ? 0 : this.kernels.playCount(fieldIndex(field), user, itemId);
  }

  recommend(userId: number, field: Field, params: RecommendParams): RankedId[] {
    const user = this.user(userId);
    if (user < 0) return [];
    const rows = this.kernels.recommend(
      fieldIndex(field),
      user,
      params.limit,
      params.walks,
      params.walkLength,
      resetThreshold(params.resetProbability),
      params.seed >>> 0,
    );
    return this.readRows(rows);
  }

  private readRows(rows: number): RankedId[] {
    this.views();
    const out: RankedId[] = new Array(rows);
    for (let i = 0; i < rows; i++) out[i] = { id: this.outputView[2 * i]!, score: this.outputView[2 * i + 1]! };
    return out;
  }

  compact(): void {
    this.kernels.compact();
  }

  stats(): EngineStats {
    const k = this.kernels;
    const fields = {} as Record<Field, FieldStats>;
    FIELDS.forEach((field, f) => {
      fields[field] = { items: k.itemCount(f), edges: k.edgeCount(f), graphBytes: k.graphBytes(f), chartBytes: k.chartBytes(f) };
    });
    return { users: k.userCount(), fields, totalBytes: k.memory.buffer.byteLength };
  }
}

/** The kernels number the fields in FIELDS order; the field was validated at the SDK's edge. */
function fieldIndex(field: Field): number {
  return FIELDS.indexOf(field);
}
