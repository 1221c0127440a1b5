import type { App, ServiceContext } from "../context.js";
import { ServiceError, errorResponses } from "../errors.js";
import { healthResponse, readyResponse } from "../schemas.js";

const NOT_READY = { loading: "data is still loading", stopping: "the service is shutting down" } as const;

export function healthRoutes(app: App, { readiness }: ServiceContext): void {
  app.get(
    "/healthz",
    { schema: { tags: ["operations"], summary: "Liveness: the process answers", response: { 200: healthResponse } } },
    () => ({ status: "ok" as const }),
  );
  app.get(
    "/readyz",
    {
      schema: {
        tags: ["operations"],
        summary: "Readiness: data is loaded (Kafka: caught up and answering) and the service is not shutting down",
        response: { 200: readyResponse, ...errorResponses("not_ready") },
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
