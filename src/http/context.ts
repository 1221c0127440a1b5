// What every route module is handed: the app typed by the zod schemas, and the service's parts.
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from "fastify";
import type { IngestResult } from "../events.js";
import type { ProfileStore } from "../profile-store.js";
import type { ServiceMetrics } from "./metrics.js";
import type { ZodTypeProvider } from "./validation.js";

export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

/** "loading" until the data source is in, "stopping" once shutdown began: /readyz answers 503 then. */
export type ServiceState = "loading" | "ready" | "stopping";

export interface Readiness {
  state: ServiceState;
  /** Asked while "ready": why the data source has fallen behind (say, Kafka stopped answering), or undefined. */
  sourceProblem?: () => string | undefined;
  /** Records the data source has not applied yet (Kafka's lag), where it has such a thing. */
  sourceLag?: () => number;
}

/**
 * Where the events of POST /events go: validated by the SDK's validator, then applied to this store,
 * or (with Kafka) produced to the events topic. Counts them in the metrics; resolves to the answer.
 */
export interface EventSink {
  write(events: unknown[]): Promise<IngestResult>;
}

export interface ServiceContext {
  store: ProfileStore;
  metrics: ServiceMetrics;
  readiness: Readiness;
  events: EventSink;
}
