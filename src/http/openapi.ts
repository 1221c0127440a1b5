// The OpenAPI document, generated from the routes' zod schemas by @fastify/swagger, and browsable at
// /docs with swagger UI. Requests are documented as clients write them (zod "input"), responses as
// the service writes them ("output").
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import { z } from "zod";
import type { App } from "./context.js";

/** Version of the REST contract, not of the package: it changes when the API does. */
const API_VERSION = "1.0.0";

const DESCRIPTION = `Real-time listener profiles, top-K charts and recommendations (SALSA random walks or an exact walk, by preset).
The recommendation route is a drop-in backend for Quick's \`@rest\` directive. Every error is JSON
\`{error, message}\`; an invalid parameter answers 400 and also names the parameter, its value and what is allowed.
On every route: a Host header naming a host the service does not answer to gets 421 \`host_not_allowed\`;
a method the path does not have gets 405 \`method_not_allowed\` with Allow; when the service runs with an
API key, writes (and, if so configured, every route but /healthz and /readyz) need it in X-API-Key, else
401 \`unauthorized\`.`;

export async function registerOpenapi(app: App): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: { title: "profile-store", description: DESCRIPTION, version: API_VERSION },
      components: {
        securitySchemes: {
          apiKey: { type: "apiKey", in: "header", name: "X-API-Key", description: "Needed only when the service runs with an API key" },
        },
      },
      // The key or nothing: whether it is needed depends on how the service runs.
      security: [{ apiKey: [] }, {}],
      tags: [
        { name: "recommendations", description: "Recommendations: SALSA random walks or the exact walk" },
        { name: "profiles", description: "Per-listener metrics and charts" },
        { name: "items", description: "Artist, album and track names" },
        { name: "events", description: "Listening events in" },
        { name: "operations", description: "Health, readiness and metrics" },
      ],
    },
    transform: ({ schema, url }) => ({ schema: schema && toJsonSchemas(schema as RouteSchema), url }),
  });
  await app.register(swaggerUi, { routePrefix: "/docs" });
}

/** The document as committed in openapi/openapi.json: stable, pretty-printed JSON. */
export async function openapiJson(app: App): Promise<string> {
  await app.ready();
  return `${JSON.stringify(app.swagger(), null, 2)}\n`;
}

type RouteSchema = Record<string, unknown> & { response?: Record<string, unknown> };

function toJsonSchemas(schema: RouteSchema): RouteSchema {
  const converted: RouteSchema = { ...schema };
  for (const part of ["params", "querystring", "body"] as const) {
    if (isZod(schema[part])) converted[part] = jsonSchema(schema[part], "input");
  }
  if (schema.response) {
    converted.response = Object.fromEntries(
      Object.entries(schema.response).map(([status, body]) => [status, isZod(body) ? jsonSchema(body, "output") : body]),
    );
  }
  return converted;
}

function isZod(value: unknown): value is z.ZodType {
  return typeof value === "object" && value !== null && "_zod" in value;
}

function jsonSchema(schema: z.ZodType, io: "input" | "output"): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, target: "draft-2020-12", unrepresentable: "any" });
  return rest;
}
