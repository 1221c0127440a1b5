// The REST service around a ProfileStore: routes, validation, errors, metrics, docs and the limits
// on what a client may hold. Building it does not listen, so tests and benchmarks choose their own port.
import Fastify, { LogController, type FastifyServerOptions } from "fastify";
import type { ProfileStore } from "../profile-store.js";
import { registerAccessChecks } from "./access.js";
import { registerBodyParsers } from "./body.js";
import { answerExpectations, clientErrorHandler } from "./client-errors.js";
import { connectionOptions, limitConnections } from "./connections.js";
import type { App, EventSink, Readiness, ServiceContext } from "./context.js";
import { handleError } from "./errors.js";
import { ServiceMetrics } from "./metrics.js";
import { registerNotFound } from "./not-found.js";
import { registerOpenapi } from "./openapi.js";
import { chartsRoute } from "./routes/charts.js";
import { eventsRoute } from "./routes/events.js";
import { healthRoutes } from "./routes/health.js";
import { itemsRoute } from "./routes/items.js";
import { metricsRoute } from "./routes/metrics.js";
import { profilesRoute } from "./routes/profiles.js";
import { recommendationRoute } from "./routes/recommendation.js";
import { resolveProtections, type ProtectionOptions } from "./server-options.js";
import { storeEventSink } from "./store-event-sink.js";
import { jsonSerializerCompiler, zodValidatorCompiler, type ZodTypeProvider } from "./validation.js";

export const DEFAULT_BODY_LIMIT = 1024 * 1024;

/** The service's options; the protections (timeouts, limits, access) are documented in server-options.ts. */
export interface ServerOptions extends ProtectionOptions {
  /** Largest request body in bytes; larger ones get 413 (default 1 MiB). */
  bodyLimit?: number;
  /** Created for the store when absent; pass one to count events ingested outside HTTP too. */
  metrics?: ServiceMetrics;
  /** Shared with whoever loads the data; "ready" when absent. */
  readiness?: Readiness;
  /** Where POST /events puts events; by default they are applied to `store`. */
  events?: EventSink;
  /** Fastify's logger option (default: no logging). */
  logger?: FastifyServerOptions["logger"];
}

const ROUTES = [recommendationRoute, profilesRoute, chartsRoute, itemsRoute, eventsRoute, healthRoutes, metricsRoute];

export async function buildServer(store: ProfileStore, options: ServerOptions = {}): Promise<App> {
  const metrics = options.metrics ?? new ServiceMetrics(store);
  const protections = resolveProtections(options);
  const context: ServiceContext = {
    store,
    metrics,
    readiness: options.readiness ?? { state: "ready" },
    events: options.events ?? storeEventSink(store, metrics),
  };
  const app = Fastify({
    ...connectionOptions(protections),
    clientErrorHandler: clientErrorHandler(protections),
    // A request that reaches a closing server is answered (with Connection: close) rather than refused
    // with fastify's own 503 body, which is not in the catalogue; /readyz answers 503 from the start of closing.
    return503OnClosing: false,
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    // A log line per request would cost more than a light recommendation; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    // Malformed URLs (e.g. a broken %-escape) get the catalogue's error body too.
    frameworkErrors: handleError,
    rewriteUrl: (request) => graphqlWsAlias(request.url ?? "/"),
  }).withTypeProvider<ZodTypeProvider>();
  limitConnections(app, protections);
  registerAccessChecks(app, protections);
  answerExpectations(app);
  app.setValidatorCompiler(zodValidatorCompiler);
  app.setSerializerCompiler(jsonSerializerCompiler);
  app.setErrorHandler(handleError);
  app.addHook("onResponse", (request, reply, done) => {
    context.metrics.observeRequest(request.method, request.routeOptions.url ?? "unmatched", reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
  app.addHook("preClose", (done) => {
    context.readiness.state = "stopping";
    done();
  });
  // Requests still in flight when closing began end their connection, or keep-alive would hold the exit.
  app.addHook("onSend", (_request, reply, payload, done) => {
    if (context.readiness.state === "stopping") reply.header("connection", "close");
    done(null, payload);
  });
  registerBodyParsers(app);
  registerNotFound(app);
  await registerOpenapi(app);
  for (const route of ROUTES) route(app, context);
  return app;
}

/** Quick's gateway takes GraphQL subscriptions at /graphql-ws: that is the WebSocket of /graphql here. */
function graphqlWsAlias(url: string): string {
  return url === "/graphql-ws" || url.startsWith("/graphql-ws?") ? `/graphql${url.slice("/graphql-ws".length)}` : url;
}
