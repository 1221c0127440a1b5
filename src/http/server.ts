// The REST service around a ProfileStore: routes, validation, errors, metrics and docs. Building it
// does not listen, so tests and benchmarks choose their own port.
import Fastify, { LogController, type FastifyServerOptions } from "fastify";
import type { ProfileStore } from "../profile-store.js";
import { registerBodyParsers } from "./body.js";
import type { App, Readiness, ServiceContext } from "./context.js";
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
import { jsonSerializerCompiler, zodValidatorCompiler, type ZodTypeProvider } from "./validation.js";

export const DEFAULT_BODY_LIMIT = 1024 * 1024;

export interface ServerOptions {
  /** Largest request body in bytes; larger ones get 413 (default 1 MiB). */
  bodyLimit?: number;
  /** Created for the store when absent; pass one to count events ingested outside HTTP too. */
  metrics?: ServiceMetrics;
  /** Shared with whoever loads the data; "ready" when absent. */
  readiness?: Readiness;
  /** Fastify's logger option (default: no logging). */
  logger?: FastifyServerOptions["logger"];
}

const ROUTES = [recommendationRoute, profilesRoute, chartsRoute, itemsRoute, eventsRoute, healthRoutes, metricsRoute];

export async function buildServer(store: ProfileStore, options: ServerOptions = {}): Promise<App> {
  const context: ServiceContext = {
    store,
    metrics: options.metrics ?? new ServiceMetrics(store),
    readiness: options.readiness ?? { state: "ready" },
  };
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    // A log line per request would cost more than a light recommendation; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    // Malformed URLs (e.g. a broken %-escape) get the catalogue's error body too.
    frameworkErrors: handleError,
  }).withTypeProvider<ZodTypeProvider>();
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
