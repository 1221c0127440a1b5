// Prometheus metrics of one service instance, in its own registry (not prom-client's global one), so
// that several servers can live in one process. Store sizes (and the Kafka pipeline's state) are read
// at scrape time.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { IngestResult } from "../events.js";
import type { ProfileStore, StoreStats } from "../profile-store.js";
import { FIELDS, type Field } from "../types.js";

/** Where ingested events came from: POST /events, the embedded live stream, a bulk preload, or Kafka. */
export type EventSource = "http" | "live" | "preload" | "kafka";

type FieldStats = StoreStats["fields"][Field];

/**
 * What the Kafka gauges read at every scrape: the service hands in a reader (its Kafka pipeline), so
 * that this module knows the numbers and not the pipeline.
 */
export interface KafkaStats {
  /** Caught up with the topics as they were at start, and the broker answers. */
  ready: boolean;
  /** A fetch was answered recently. */
  connected: boolean;
  lag: number;
  catchUp: { done: number; total: number };
  eventsApplied: number;
  deadLettered: number;
  /** Dead-letter copies that could not be sent (counted, the records skipped all the same). */
  deadLetterFailures: number;
  /** The consumer worker runs; it is restarted with backoff when it dies. */
  workerRunning: boolean;
  restarts: number;
  /** Bad input records skipped, by reason. */
  badRecords: Record<string, number>;
  freshness: { p50Ms: number; p99Ms: number; maxMs: number };
  /** Present when the service publishes profiles to the output topics. */
  output?: { publishedUsers: number; pendingUsers: number };
}

export interface KafkaStatsReader {
  stats(): KafkaStats;
}

/** The service's snapshots (serve --state-dir), as the gauges read them at every scrape. */
export interface SnapshotStats {
  /** Epoch ms of the state the newest snapshot holds; without one, when the service started. */
  stateSince: number;
  /** Size of the newest snapshot file, 0 without one. */
  bytes: number;
  /** Time the newest snapshot took, from the copy of the state to the renamed file; 0 without one. */
  durationSeconds: number;
  /** Time ingest waited for the copy of the state. */
  pauseSeconds: number;
  /** Snapshot writes that failed since start. */
  failures: number;
}

export interface SnapshotStatsReader {
  stats(): SnapshotStats;
}

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

  /** Adds the profile_store_kafka_* gauges, read from the pipeline at every scrape. */
  observeKafka(pipeline: KafkaStatsReader): void {
    registerKafkaGauges(pipeline, [this.registry]);
  }

  /** Adds the profile_store_snapshot_* gauges, read at every scrape. */
  observeSnapshots(snapshots: SnapshotStatsReader): void {
    const registers = [this.registry];
    const gauge = (name: string, help: string, read: (stats: SnapshotStats) => number) =>
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(read(snapshots.stats()));
        },
      });
    gauge("profile_store_snapshot_age_seconds", "Age of the state in the newest snapshot (without one: time since start), what a crash now would replay", (s) => (Date.now() - s.stateSince) / 1000);
    gauge("profile_store_snapshot_bytes", "Size of the newest snapshot file", (s) => s.bytes);
    gauge("profile_store_snapshot_duration_seconds", "Time the newest snapshot took, from copying the state to the renamed file", (s) => s.durationSeconds);
    gauge("profile_store_snapshot_pause_seconds", "Time ingest waited for the newest snapshot's copy of the state", (s) => s.pauseSeconds);
    gauge("profile_store_snapshot_failures", "Snapshot writes that failed since start", (s) => s.failures);
  }

  observeRequest(method: string, route: string, statusCode: number, seconds: number): void {
    this.requestSeconds.observe({ method, route, status_code: statusCode }, seconds);
  }

  /** Counts an ingest's accepted events, and its rejected ones by the property at fault. */
  countIngest(source: EventSource, result: IngestResult): void {
    if (result.accepted > 0) this.ingested.inc({ source }, result.accepted);
    for (const [reason, count] of Object.entries(result.rejectedBy)) this.rejected.inc({ source, reason }, count);
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
  perField("profile_store_graph_bytes", "Bytes of the field's graph (both directions) and, where measured, its item id map", (stats) => stats.graphBytes + (stats.itemIdBytes ?? 0));
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

function registerKafkaGauges(pipeline: KafkaStatsReader, registers: Registry[]): void {
  const gauge = (name: string, help: string, read: (stats: KafkaStats) => number) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(read(pipeline.stats()));
      },
    });
  gauge("profile_store_kafka_ready", "1 when caught up with the input topics and the broker answers, else 0", (s) => Number(s.ready));
  gauge("profile_store_kafka_connected", "1 when a fetch was answered recently, else 0", (s) => Number(s.connected));
  gauge("profile_store_kafka_worker_running", "1 while the consumer worker thread consumes, else 0", (s) => Number(s.workerRunning));
  gauge("profile_store_kafka_worker_restarts", "Consumer worker threads started to replace one that stopped unasked", (s) => s.restarts);
  gauge("profile_store_kafka_lag_records", "Records behind the input partitions' ends as of the last fetch", (s) => s.lag);
  gauge("profile_store_kafka_catchup_done", "Records applied (or skipped as bad) of those present at start", (s) => s.catchUp.done);
  gauge("profile_store_kafka_catchup_total", "Records in the input topics at start", (s) => s.catchUp.total);
  gauge("profile_store_kafka_events_applied", "Listening events applied from Kafka since start", (s) => s.eventsApplied);
  gauge("profile_store_kafka_dead_lettered", "Bad records copied to the dead-letter topic", (s) => s.deadLettered);
  gauge("profile_store_kafka_dead_letter_failures", "Bad records the dead-letter topic did not take (skipped all the same)", (s) => s.deadLetterFailures);
  const recently = "of events applied since catching up, in the last 1 to 2 minutes";
  gauge("profile_store_kafka_freshness_max_ms", `Longest time from produce to visible in the store, ${recently}`, (s) => s.freshness.maxMs);
  new Gauge({
    name: "profile_store_kafka_bad_records",
    help: "Input records skipped, by reason",
    labelNames: ["reason"],
    registers,
    collect() {
      for (const [reason, count] of Object.entries(pipeline.stats().badRecords)) this.set({ reason }, count);
    },
  });
  new Gauge({
    name: "profile_store_kafka_freshness_ms",
    help: `Time from produce to visible in the store, ${recently}`,
    labelNames: ["quantile"],
    registers,
    collect() {
      const { freshness } = pipeline.stats();
      this.set({ quantile: "0.5" }, freshness.p50Ms);
      this.set({ quantile: "0.99" }, freshness.p99Ms);
    },
  });
  // The output topics are fixed at start: without them these gauges would only ever read 0.
  if (pipeline.stats().output === undefined) return;
  gauge("profile_store_kafka_output_published_users", "Users whose profile was published to the output topics", (s) => s.output?.publishedUsers ?? 0);
  gauge("profile_store_kafka_output_pending_users", "Users changed but not yet published", (s) => s.output?.pendingUsers ?? 0);
}
