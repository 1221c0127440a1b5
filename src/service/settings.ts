// What a service is started with: a data source, where to listen, the store's options, the HTTP
// server's protections and the plugins mounted on it. The defaults here are the `serve` command's.
import { availableParallelism } from "node:os";
import type { EventHubOptions } from "../graphql/event-hub.js";
import type { TopicNames } from "../graphql/topics.js";
import type { App, ServiceContext } from "../http/context.js";
import type { ServerOptions } from "../http/server.js";
import { GENERATOR_DEFAULTS } from "../ingest/generator.js";
import type { InputTopics } from "../kafka/event-consumer.js";
import type { KafkaPipelineOptions } from "../kafka/pipeline.js";
import type { ProfileStore } from "../profile-store.js";
import type { PresetName, TimestampUnit } from "../types.js";
import type { SnapshotPolicy } from "./snapshots.js";

/** The embedded demo: a generated catalogue and history, then a live stream of generated plays. */
export interface DemoSource {
  kind: "demo";
  /** Generated events loaded at start. */
  events: number;
  users: number;
  artists: number;
  seed: number;
  /** Generated events per second once loaded; 0 for none. */
  liveRate: number;
}

/** An LFM-1b directory: LFM-1b_LEs*.txt and the artists, albums and tracks files. */
export interface LfmSource {
  kind: "lfm";
  dir: string;
}

/** The Kafka topics: every partition from the beginning, then new records as they come. */
export interface KafkaSource extends Pick<KafkaPipelineOptions, "brokers" | "format" | "deadLetterTopic" | "output"> {
  kind: "kafka";
  topics: InputTopics;
  /** How long POST /events waits for the broker to acknowledge the events it produces (default 10 s). */
  produceTimeoutMs?: number;
}

/** A store the caller has filled (or will fill over POST /events): served as it is, ready at once, not closed. */
export interface StoreSource {
  kind: "store";
  store: ProfileStore;
}

export type DataSource = DemoSource | LfmSource | KafkaSource | StoreSource;

/** What the service hands to buildServer as it is (the service brings metrics, readiness and the events sink). */
export type ServerSettings = Pick<
  ServerOptions,
  "bodyLimit" | "apiKey" | "apiKeyForReads" | "allowedHosts" | "requestTimeoutMs" | "headersTimeoutMs" | "keepAliveTimeoutMs" | "maxConnections" | "maxRequestsPerSocket"
>;

/**
 * A plugin on the service's fastify app (the GraphQL API, the dashboard), registered after the REST
 * routes and before the service listens. It gets the same parts the REST routes do.
 */
export type ServiceMount = (app: App, context: ServiceContext) => void | Promise<void>;

/** Shows the progress of a long load (the CLI draws a bar on stderr). */
export type ProgressReporter = (label: string, total: number, unit: string) => { update(done: number): void; stop(): void };

/** Progress of a read of `totalBytes`, shown in MB under `label` from the first report on. */
export function bytesProgress(reporter: ProgressReporter | undefined, label: string) {
  const MB = 1e6;
  let shown: ReturnType<ProgressReporter> | undefined;
  return {
    update({ bytesRead, totalBytes }: { bytesRead: number; totalBytes: number }): void {
      const total = Math.max(1, Math.ceil(totalBytes / MB));
      shown ??= reporter?.(label, total, "MB");
      shown?.update(bytesRead === totalBytes ? total : Math.floor(bytesRead / MB));
    },
    stop: (): void => shown?.stop(),
  };
}

/** The GraphQL API (src/graphql/): on unless `graphql: false`. */
export interface GraphqlSettings {
  /** A schema file of the user's; default: the seed's, as the package ships it (graphql/schema.gql). */
  schemaFile?: string;
  /** Where the seed's @rest url `http://recommender` points; default: this service itself. */
  recommenderBase?: string;
  /** How long one @rest call may take (default 10 s). */
  restTimeoutMs?: number;
  /** Per-subscriber queue and subscriber cap of the live subscription. */
  hub?: EventHubOptions;
  /** The schema as text (instead of schemaFile), and where it came from, for messages. */
  schema?: { source: string; origin: string };
  /** @topic names other than the seed's (the Kafka source's topic names are used by default). */
  topics?: Partial<TopicNames>;
  /** Hears each batch of keyed lookups (tests). */
  onBatch?: (topic: string, keys: number) => void;
  /** What serviceStatus reports as readiness and Kafka lag; by default the service's own (tests replace it). */
  status?: () => { ready: boolean; kafkaLag?: number };
}

/** The dashboard at / (src/dashboard/, built into build/web/): on unless `dashboard: false`. */
export interface DashboardSettings {
  /** The folder of the built page (default build/web of the package). */
  root?: string;
}

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface ServiceSettings {
  source: DataSource;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 8080; 0 for any free port. */
  port?: number;
  /** Unit of POST /events and Kafka JSON timestamps (default "auto"); not used with a "store" source. */
  timestampUnit?: TimestampUnit;
  /** Default: one less than the cores, at least 1; not used with a "store" source. */
  walkerThreads?: number;
  /** The recommendation preset of requests that name none (default "seed", the seed's defaults); not used with a "store" source. */
  defaultPreset?: PresetName;
  /** How long close() keeps serving, not ready, before it closes the listener (default 5 s). */
  drainSeconds?: number;
  /** Default "info". */
  logLevel?: LogLevel;
  server?: ServerSettings;
  graphql?: GraphqlSettings | false;
  /** Needs the GraphQL API, which it is a client of. */
  dashboard?: DashboardSettings | false;
  mounts?: readonly ServiceMount[];
  progress?: ProgressReporter;
  /**
   * Restore the state from a snapshot in this directory at start (instead of loading the source),
   * and write snapshots there by the policy and on close; not with a "store" source.
   */
  snapshots?: SnapshotPolicy;
}

export const SERVICE_DEFAULTS = {
  host: "127.0.0.1",
  port: 8080,
  timestampUnit: "auto",
  walkerThreads: Math.max(1, availableParallelism() - 1),
  drainSeconds: 5,
  logLevel: "info",
  produceTimeoutMs: 10_000,
  restTimeoutMs: 10_000,
} as const satisfies Partial<Record<keyof ServiceSettings | "produceTimeoutMs" | "restTimeoutMs", unknown>>;

export const DEMO_DEFAULTS = {
  events: 1_000_000,
  users: GENERATOR_DEFAULTS.users,
  artists: GENERATOR_DEFAULTS.artists,
  seed: GENERATOR_DEFAULTS.seed,
  liveRate: 100,
} as const satisfies Omit<DemoSource, "kind">;
