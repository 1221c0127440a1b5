import type { App, ServiceContext } from "../context.js";
import { ServiceError, errorResponses } from "../errors.js";
import { healthResponse, noQuery, readyResponse } from "../schemas.js";

const NOT_READY = { loading: "data is still loading", stopping: "the service is shutting down" } as const;

export function healthRoutes(app: App, { readiness }: ServiceContext): void {
  app.get(
    "/healthz",
    {
      schema: {
        tags: ["operations"],
        summary: "Liveness: the process answers",
        querystring: noQuery,
        response: { 200: healthResponse, ...errorResponses("invalid_parameter") },
      },
    },
    () => ({ status: "ok" as const }),
  );
  app.get(
    "/readyz",
    {
      schema: {
        tags: ["operations"],
        summary: "Readiness: data is loaded (Kafka: caught up and answering) and the service is not shutting down",
        querystring: noQuery,
        response: { 200: readyResponse, ...errorResponses("invalid_parameter", "not_ready") },
      },
    },
    () => {
      const { state, sourceProblem } = readiness;
      const problem = state === "ready" ? sourceProblem?.() : NOT_READY[state];
      if (problem !== undefined) throw new ServiceError("not_ready", problem);
      return { status: "ready" as const };
    },
  );
}
