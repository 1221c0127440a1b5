import { InvalidInputError } from "../../errors.js";
import type { App, ServiceContext } from "../context.js";
import { ServiceError, errorResponses } from "../errors.js";
import { eventsBody, ingestResponse } from "../schemas.js";

const NDJSON = "application/x-ndjson";

export function eventsRoute(app: App, { events }: ServiceContext): void {
  // Bodies are JSON or NDJSON; anything else, plain text included, is answered 415.
  app.removeContentTypeParser("text/plain");
  app.addContentTypeParser(NDJSON, { parseAs: "string" }, (_request, body, done) => {
    try {
      done(null, parseNdjson(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
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
        body: eventsBody,
        response: {
          200: ingestResponse,
          ...errorResponses("invalid_parameter", "invalid_body", "body_too_large", "unsupported_media_type", "not_ready"),
        },
      },
      // Events are checked one by one in the handler, so that one bad event does not fail its batch.
      validatorCompiler: () => (body) => ({ value: body }),
    },
    (request) => {
      const body: unknown = request.body;
      if (!Array.isArray(body)) throw new InvalidInputError("body", body, "a JSON array of listening events, or NDJSON");
      return events.write(body);
    },
  );}

/** One JSON value per line; blank lines are skipped, any other bad line fails the whole body. */
function parseNdjson(text: string): unknown[] {
  const items: unknown[] = [];
  text.split("\n").forEach((line, index) => {
    if (line.trim() === "") return;
    try {
      items.push(JSON.parse(line));
    } catch {
      throw new ServiceError("invalid_body", `line ${index + 1} of the NDJSON body is not valid JSON`);
    }
  });
  return items;
}
