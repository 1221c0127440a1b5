import type { App, ServiceContext } from "../context.js";
import { errorResponses } from "../errors.js";
import { metricsResponse, noQuery } from "../schemas.js";

export function metricsRoute(app: App, { metrics }: ServiceContext): void {
  app.get(
    "/metrics",
    {
      schema: {
        tags: ["operations"],
        summary: "Prometheus metrics: request latency, events ingested and rejected, graph sizes, engine memory, Kafka pipeline",
        produces: ["text/plain"],
        querystring: noQuery,
        response: { 200: metricsResponse, ...errorResponses("invalid_parameter") },
      },
    },
    async (_request, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );
}
