// One running service: a store fed from a data source and served over HTTP, with its readiness, what
// keeps running (the demo's live stream, the Kafka pipeline), the events sink of POST /events, and
// its shutdown. The CLI, the tests and the benchmarks all start their services here, and the GraphQL
// API and the dashboard mount on it (settings.mounts).
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import type { App, EventSink, Readiness, ServiceContext } from "../http/context.js";
import { ServiceMetrics } from "../http/metrics.js";
import { buildServer } from "../http/server.js";
import { storeEventSink } from "../http/store-event-sink.js";
import type { Logger } from "../kafka/client.js";
import { ProfileStore } from "../profile-store.js";
import { registerDashboard } from "../dashboard/plugin.js";
import type { EventHub } from "../graphql/event-hub.js";
import { exposureWarning } from "./exposure.js";
import { kafkaTopicNames, mountGraphql } from "./graphql.js";
import { KafkaEventSink } from "./kafka-event-sink.js";
import { ServiceReadiness } from "./readiness.js";
import { SERVICE_DEFAULTS, type ServiceSettings } from "./settings.js";
import { restoreState, SnapshotSchedule, type Restored, type SnapshotState } from "./snapshots.js";
import { loadSource, type RunningSource, type SourceContext } from "./sources.js";

export interface Service {
  /** Where it listens, e.g. http://127.0.0.1:8080. */
  readonly url: string;
  readonly store: ProfileStore;
  readonly app: App;
  readonly readiness: Readiness;
  /** Resolves once the data source is in (Kafka: caught up) and /readyz says so; rejects when loading failed or the service closed first. */
  readonly ready: Promise<void>;
  /** The GraphQL subscriptions' event stream, when GraphQL is on. */
  readonly hub: EventHub | undefined;
  /** Whether close() has been called. */
  readonly closing: boolean;
  /** Resolves once the service has closed. */
  readonly closed: Promise<void>;
  /**
   * Turns not ready, keeps serving for the drain period (if it was ever ready, so that a load balancer
   * may have sent traffic), closes the listener (requests in flight are finished, idle connections
   * closed), then stops the live stream or the Kafka pipeline and the store. Safe to call again.
   */
  close(): Promise<void>;
}

/** Listens first (so /healthz and /readyz answer during a long load), then loads the source in the background. */
export async function startService(settings: ServiceSettings): Promise<Service> {
  const { source } = settings;
  const host = settings.host ?? SERVICE_DEFAULTS.host;
  const storeOptions = {
    timestampUnit: settings.timestampUnit ?? SERVICE_DEFAULTS.timestampUnit,
    walkerThreads: settings.walkerThreads ?? SERVICE_DEFAULTS.walkerThreads,
    defaultPreset: settings.defaultPreset,
  };
  if (source.kind === "store" && settings.snapshots) throw new RangeError("snapshots need a data source the service loads (demo, lfm or kafka), not a store");
  // Restoring takes about as long as reading the file, so it comes before listening; loading a source does not.
  const state = source.kind !== "store" && settings.snapshots ? await restoreState(source, settings.snapshots, storeOptions, settings.progress) : undefined;
  const restored = state?.restored.kind === "restored" ? state.restored.store : undefined;
  const store = source.kind === "store" ? source.store : (restored ?? (await ProfileStore.create(storeOptions)));
  const ownStore = source.kind !== "store";
  const metrics = new ServiceMetrics(store);
  const readiness = new ServiceReadiness();
  // The Kafka client logs only once it sends, by when the app (which owns the log) exists.
  let app: App | undefined;
  let hub: EventHub | undefined;
  const kafkaLog: Logger = {
    error: (message) => app?.log.error({ source: "kafka" }, message),
    warn: (message) => app?.log.warn({ source: "kafka" }, message),
    info: (message) => app?.log.info({ source: "kafka" }, message),
  };
  const kafkaSink = source.kind === "kafka" ? new KafkaEventSink(source, store, metrics, kafkaLog) : undefined;
  const events: EventSink = kafkaSink ?? storeEventSink(store, metrics);
  const release = async () => {
    await kafkaSink?.close();
    if (ownStore) await store.close();
    await state?.unlock();
  };
  try {
    app = await buildServer(store, {
      ...settings.server,
      metrics,
      readiness,
      events,
      logger: { level: settings.logLevel ?? SERVICE_DEFAULTS.logLevel },
    });
    const context: ServiceContext = { store, metrics, readiness, events };
    if (settings.graphql !== false) {
      const access = { apiKey: settings.server?.apiKey, forReads: settings.server?.apiKeyForReads ?? false };
      hub = await mountGraphql(app, context, settings.graphql ?? {}, kafkaTopicNames(source), access);
      if (settings.dashboard !== false) await registerDashboard(app, settings.dashboard?.root);
    }
    for (const mount of settings.mounts ?? []) await mount(app, context);
    const warning = exposureWarning(host, settings.server?.apiKey);
    if (warning !== undefined) app.log.warn(warning);
    if (state) logRestore(app, state.restored);
    await app.listen({ host, port: settings.port ?? SERVICE_DEFAULTS.port });
  } catch (error) {
    await app?.close();
    await release();
    throw error;
  }
  return new RunningService(app, store, metrics, readiness, settings, release, hub, state);
}

function logRestore(app: App, restored: Restored): void {
  switch (restored.kind) {
    case "restored":
      app.log.info(`restored the snapshot (${(restored.bytes / 1e6).toFixed(1)} MB of state from ${new Date(restored.createdAt).toISOString()}) in ${restored.seconds.toFixed(2)} s`);
      return;
    case "refused":
      app.log.warn(`${restored.error.message}; loading the data source from the beginning instead`);
      return;
    case "none":
      app.log.info(`no snapshot at ${restored.path} yet: loading the data source`);
  }
}

class RunningService implements Service {
  readonly url: string;
  readonly ready: Promise<void>;
  readonly closed: Promise<void>;
  private readonly abort = new AbortController();
  private readonly loading: Promise<void>;
  private running?: RunningSource;
  private readonly schedule?: SnapshotSchedule;
  private closeCalled = false;
  private startClose!: () => void;

  constructor(
    readonly app: App,
    readonly store: ProfileStore,
    private readonly metrics: ServiceMetrics,
    readonly readiness: ServiceReadiness,
    private readonly settings: ServiceSettings,
    private readonly release: () => Promise<void>,
    readonly hub: EventHub | undefined,
    private readonly snapshots?: SnapshotState,
  ) {
    this.url = urlOf(app.server.address() as AddressInfo);
    if (settings.snapshots && snapshots) {
      const restored = snapshots.restored.kind === "restored" ? snapshots.restored : undefined;
      const attachment = () => ({ source: snapshots.identity, offsets: this.running?.appliedOffsets?.() ?? [] });
      this.schedule = new SnapshotSchedule(store, settings.snapshots, attachment, app.log, restored);
      metrics.observeSnapshots(this.schedule);
    }
    this.ready = readiness.loaded;
    this.loading = this.load();
    this.closed = new Promise<void>((resolve) => (this.startClose = resolve)).then(() => this.shutdown());
  }

  get closing(): boolean {
    return this.closeCalled;
  }

  close(): Promise<void> {
    this.closeCalled = true;
    this.startClose();
    return this.closed;
  }

  private async load(): Promise<void> {
    const { app, store, metrics, readiness } = this;
    const log = app.log;
    const context: SourceContext = {
      store,
      metrics,
      readiness,
      log,
      progress: this.settings.progress,
      signal: this.abort.signal,
      bulkLoaded: (what, started) => {
        store.compact();
        log.info(`${what} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      },
      restored: this.snapshots?.restored.kind === "restored" ? { offsets: this.snapshots.restored.offsets } : undefined,
    };
    try {
      this.running = await loadSource(this.settings.source, context);
    } catch (error) {
      if (!this.abort.signal.aborted) log.error({ err: error }, "loading the data source failed");
      readiness.markFailed(error);
      return;
    }
    readiness.markLoaded();
    // Only a loaded state is snapshotted: a snapshot of half a source would later pass for all of it.
    this.schedule?.start();
    const pages = this.settings.graphql === false ? "REST docs at /docs" : `${this.settings.dashboard === false ? "" : "dashboard at /, "}GraphQL at /graphql, REST docs at /docs`;
    log.info(`ready: ${describeStore(store)}; ${pages}`);
  }

  private async shutdown(): Promise<void> {
    const { readiness, app } = this;
    const drainSeconds = readiness.wasReady ? (this.settings.drainSeconds ?? SERVICE_DEFAULTS.drainSeconds) : 0;
    readiness.markStopping();
    this.abort.abort();
    if (drainSeconds > 0) {
      app.log.info(`not ready: answering requests for ${drainSeconds} s more, then closing`);
      await sleep(drainSeconds * 1000);
    }
    await app.close();
    await this.loading;
    await this.running?.stop();
    // Nothing changes the store any more: the last snapshot holds everything applied.
    try {
      await this.schedule?.stop();
    } finally {
      await this.release();
    }
  }
}

function urlOf({ address, family, port }: AddressInfo): string {
  return `http://${family === "IPv6" ? `[${address}]` : address}:${port}`;
}

function describeStore(store: ProfileStore): string {
  const stats = store.stats();
  const threads = store.options.walkerThreads;
  return `${stats.users} listeners, ${stats.events.accepted} events, ${stats.names.ARTIST} artist names, ${threads} walker thread${threads === 1 ? "" : "s"}`;
}
