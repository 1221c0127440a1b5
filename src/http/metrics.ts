// Prometheus metrics of one service instance, in its own registry (not prom-client's global one), so
// that several servers can live in one process. Store sizes are read from the store at scrape time.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { FieldStats } from "../engine/engine.js";
import type { IngestResult } from "../events.js";
import type { ProfileStore } from "../profile-store.js";
import { FIELDS } from "../types.js";

/** Where ingested events came from: POST /events, the embedded live stream, or a bulk preload. */
export type EventSource = "http" | "live" | "preload";

export class ServiceMetrics {
  readonly registry = new Registry();
  private readonly requestSeconds: Histogram<"method" | "route" | "status_code">;
  private readonly ingested: Counter<"source">;
  private readonly rejected: Counter<"source" | "reason">;

  constructor(store: ProfileStore) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: "profile_store_" });
    this.requestSeconds = new Histogram({
      name: "profile_store_http_request_duration_seconds",
      help: "Time from request to response, by route template",
      labelNames: ["method", "route", "status_code"],
      buckets: [0.0002, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers,
    });
    this.ingested = new Counter({
      name: "profile_store_events_ingested_total",
      help: "Listening events applied to the store",
      labelNames: ["source"],
      registers,
    });
    this.rejected = new Counter({
      name: "profile_store_events_rejected_total",
      help: "Listening events rejected, by the property at fault",
      labelNames: ["source", "reason"],
      registers,
    });
    registerStoreGauges(store, registers);
  }

  observeRequest(method: string, route: string, statusCode: number, seconds: number): void {
    this.requestSeconds.observe({ method, route, status_code: statusCode }, seconds);
  }

  /** Counts an ingest; a result details only its first rejections, the rest count as reason "unreported". */
  countIngest(source: EventSource, result: IngestResult): void {
    if (result.accepted > 0) this.ingested.inc({ source }, result.accepted);
    for (const { field } of result.rejections) this.rejected.inc({ source, reason: field });
    const unreported = result.rejected - result.rejections.length;
    if (unreported > 0) this.rejected.inc({ source, reason: "unreported" }, unreported);
  }
}

function registerStoreGauges(store: ProfileStore, registers: Registry[]): void {
  new Gauge({
    name: "profile_store_users",
    help: "Listeners with at least one event",
    registers,
    collect() {
      this.set(store.stats().users);
    },
  });
  const perField = (name: string, help: string, read: (stats: FieldStats) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ["field"],
      registers,
      collect() {
        const { fields } = store.stats();
        for (const field of FIELDS) this.set({ field }, read(fields[field]));
      },
    });
  perField("profile_store_graph_items", "Items in the field's listening graph", (stats) => stats.items);
  perField("profile_store_graph_edges", "Edges (plays) in the field's listening graph", (stats) => stats.edges);
  perField("profile_store_graph_bytes", "Bytes of the field's graph and item id map", (stats) => stats.graphBytes);
  new Gauge({
    name: "profile_store_engine_memory_bytes",
    help: "Memory the engine holds: the WebAssembly linear memory for the wasm engine",
    labelNames: ["engine"],
    registers,
    collect() {
      const stats = store.stats();
      this.set({ engine: stats.engine }, stats.totalBytes);
    },
  });
}
