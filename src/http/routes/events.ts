import { InvalidInputError } from "../../errors.js";
import { NDJSON } from "../body.js";
import type { App, ServiceContext } from "../context.js";
import { errorResponses } from "../errors.js";
import { eventsBody, ingestResponse, noQuery } from "../schemas.js";
import { zodValidatorCompiler } from "../validation.js";

export function eventsRoute(app: App, { events }: ServiceContext): void {
  app.post(
    "/events",
    {
      schema: {
        tags: ["events"],
        summary: "Ingest listening events",
        description:
          "Applies the valid events and reports the invalid ones, each with the property at fault and why. " +
          "Bodies larger than the service's body limit (default 1 MiB) are refused with 413. " +
          "With Kafka, the valid events are produced to the events topic and answered once the broker acknowledged them " +
          "(they reach this and every other replica through its consumer); 503 when the broker does not acknowledge in time.",
        consumes: ["application/json", NDJSON],
        querystring: noQuery,
        body: eventsBody,
        response: {
          200: ingestResponse,
          ...errorResponses("invalid_parameter", "invalid_body", "body_too_large", "unsupported_media_type", "not_ready"),
        },
      },
      // Events are checked one by one by the SDK's validator, so that one bad event does not fail its
      // batch; the query string is checked as on every route.
      validatorCompiler: (route) => (route.httpPart === "body" ? (body) => ({ value: body }) : zodValidatorCompiler(route as never)),
    },
    (request) => {
      const body: unknown = request.body;
      if (!Array.isArray(body)) throw new InvalidInputError("body", body, "a JSON array of listening events, or NDJSON");
      return events.write(body);
    },
  );
}
