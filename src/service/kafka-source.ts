// The Kafka pipeline's lifecycle in the service: started in the background (it keeps retrying while
// the brokers are away), its gauges registered, readiness following it, a bulk load once caught up,
// and closed with the service.
import type { Logger } from "../kafka/client.js";
import { startKafkaPipeline } from "../kafka/pipeline.js";
import type { KafkaSource } from "./settings.js";
import type { RunningSource, SourceContext } from "./sources.js";

/** Resolves once caught up with what the topics held at start; closes the pipeline and rejects if the service closes first. */
export async function consumeKafka(source: KafkaSource, context: SourceContext): Promise<RunningSource> {
  const { store, metrics, readiness, log, signal } = context;
  const brokers = source.brokers.join(",");
  let progress: ReturnType<NonNullable<SourceContext["progress"]>> | undefined;
  const pipeline = startKafkaPipeline(store, {
    brokers: source.brokers,
    format: source.format,
    topics: source.topics,
    deadLetterTopic: source.deadLetterTopic,
    output: source.output,
    logger: kafkaLogger(context),
    resumeFrom: context.restored?.offsets,
    onIngest: (result) => metrics.countIngest("kafka", result),
    onProgress: ({ done, total }) => {
      if (total === 0) return;
      progress ??= context.progress?.("catch up with Kafka", total, "records");
      progress?.update(done);
    },
  });
  metrics.observeKafka(pipeline);
  readiness.sourceProblem = () => (pipeline.isReady() ? undefined : `Kafka at ${brokers} does not answer`);
  readiness.sourceLag = () => pipeline.stats().lag;
  log.info(`consuming ${Object.values(source.topics).join(", ")} from ${brokers}`);
  const started = performance.now();
  try {
    await Promise.race([pipeline.caughtUp, aborted(signal)]);
  } catch (error) {
    await pipeline.close();
    throw error;
  } finally {
    progress?.stop();
  }
  context.bulkLoaded(`caught up with ${pipeline.stats().catchUp.total} Kafka records`, started);
  return { stop: () => pipeline.close(), appliedOffsets: () => pipeline.appliedOffsets() };
}

/** Rejects with the signal's reason when it aborts. */
function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
}

/** The service's log, as the Kafka modules want it, with the lines marked by their origin. */
function kafkaLogger({ log }: SourceContext): Logger {
  const child = log.child({ source: "kafka" });
  return { error: (message) => child.error(message), warn: (message) => child.warn(message), info: (message) => child.info(message) };
}
