// Loading a data source into the service's store: the embedded demo (generated history, then a live
// stream), an LFM-1b directory, Kafka (kafka-source.ts), or nothing for a store the caller filled.
import type { FastifyBaseLogger } from "fastify";
import { loadGeneratedData } from "../demo/generated-data.js";
import { startLiveStream } from "../demo/live-stream.js";
import type { ServiceMetrics } from "../http/metrics.js";
import { createGenerator, type LfmGenerator } from "../ingest/generator.js";
import { loadLfm1b, type Lfm1bSink } from "../ingest/lfm1b.js";
import type { AppliedOffsets } from "../kafka/event-consumer.js";
import type { ProfileStore } from "../profile-store.js";
import { consumeKafka } from "./kafka-source.js";
import type { ServiceReadiness } from "./readiness.js";
import { bytesProgress, type DataSource, type DemoSource, type LfmSource, type ProgressReporter } from "./settings.js";

export interface SourceContext {
  store: ProfileStore;
  metrics: ServiceMetrics;
  readiness: ServiceReadiness;
  log: FastifyBaseLogger;
  progress?: ProgressReporter;
  /** Aborts a load when the service closes meanwhile. */
  signal: AbortSignal;
  /** Told when a bulk load (generated history, files, Kafka's replayed topics) is in, before anything live starts. */
  bulkLoaded(what: string, started: number): void;
  /** The store was restored from a snapshot of this source: load nothing it holds, and with Kafka continue from these offsets. */
  restored?: { offsets: AppliedOffsets };
}

/** What keeps running once a source is loaded: the live stream, the Kafka pipeline. */
export interface RunningSource {
  stop(): Promise<void>;
  /** Kafka: where the applied records end, consistent with the store at this moment. */
  appliedOffsets?(): AppliedOffsets;
}

/** Loads `source` into the store; resolves to what keeps running, once the data is in. */
export async function loadSource(source: DataSource, context: SourceContext): Promise<RunningSource | undefined> {
  switch (source.kind) {
    case "store":
      return undefined;
    case "demo":
      return loadDemo(source, context);
    case "lfm":
      if (!context.restored) await loadLfm(source, context);
      return undefined;
    case "kafka":
      return consumeKafka(source, context);
  }
}

async function loadDemo(source: DemoSource, context: SourceContext): Promise<RunningSource | undefined> {
  const { events, users, artists, seed, liveRate } = source;
  const { store, metrics } = context;
  const generator = createGenerator({ events: Math.max(1, events), users, artists, seed });
  // Restored, the generated history is in the store already; the live stream goes on from there
  // (it generates anew: its plays are made up anyway, stamped with the time they are sent).
  if (!context.restored) await loadGeneratedHistory(source, generator, context);
  if (liveRate === 0) return undefined;
  const live = startLiveStream(store, generator, { eventsPerSecond: liveRate, onIngest: (result) => metrics.countIngest("live", result) });
  return { stop: async () => live.stop() };
}

async function loadGeneratedHistory({ events, users, artists }: DemoSource, generator: LfmGenerator, context: SourceContext): Promise<void> {
  const { store, metrics } = context;
  const started = performance.now();
  const progress = context.progress?.("generate", Math.max(1, events), "events");
  let applied = 0;
  try {
    await loadGeneratedData(store, generator, {
      events,
      signal: context.signal,
      onIngest: (result) => {
        metrics.countIngest("preload", result);
        progress?.update((applied += result.accepted));
      },
    });
  } finally {
    progress?.stop();
  }
  context.bulkLoaded(`generated ${events} events of ${users} listeners and ${artists} artists`, started);
}

async function loadLfm({ dir }: LfmSource, context: SourceContext): Promise<void> {
  const { store, metrics, log, signal } = context;
  const started = performance.now();
  const progress = bytesProgress(context.progress, `load ${dir}`);
  const sink: Lfm1bSink = {
    ingest: (batch, options) => {
      signal.throwIfAborted();
      metrics.countIngest("preload", store.ingest(batch, options));
    },
    setNames: (field, names) => store.setNames(field, names),
  };
  try {
    const summary = await loadLfm1b(dir, sink, {
      onProgress: progress.update,
      onBadLine: (lineNo, _line, reason, file) => log.debug(`skipped ${file}:${lineNo}: ${reason}`),
    });
    if (summary.badLines > 0) log.warn(`skipped ${summary.badLines} bad lines (log level debug lists them)`);
  } finally {
    progress.stop();
  }
  context.bulkLoaded(`loaded ${dir}`, started);
}
