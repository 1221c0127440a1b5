import type { z } from "zod";
import { InvalidInputError } from "../../errors.js";
import type { IngestResult, Rejection } from "../../events.js";
import type { ListeningEvent } from "../../types.js";
import { NDJSON } from "../body.js";
import type { App, ServiceContext } from "../context.js";
import { errorResponses } from "../errors.js";
import { REPORTED_REJECTIONS, eventsBody, ingestResponse, listeningEvent } from "../schemas.js";

export function eventsRoute(app: App, { store, metrics }: ServiceContext): void {
  app.post(
    "/events",
    {
      schema: {
        tags: ["events"],
        summary: "Ingest listening events",
        description:
          "Applies the valid events and reports the invalid ones, each with the property at fault and why. " +
          "Bodies larger than the service's body limit (default 1 MiB) are refused with 413.",
        consumes: ["application/json", NDJSON],
        body: eventsBody,
        response: {
          200: ingestResponse,
          ...errorResponses("invalid_parameter", "invalid_body", "body_too_large", "unsupported_media_type"),
        },
      },
      // Events are checked one by one in the handler, so that one bad event does not fail its batch.
      validatorCompiler: () => (body) => ({ value: body }),
    },
    (request) => {
      const result = ingest(request.body);
      metrics.countIngest("http", result);
      return { ...result, rejections: result.rejections.slice(0, REPORTED_REJECTIONS) };
    },
  );

  /** Validates each event with the zod schema, applies the valid ones, and reports every rejection in body order. */
  function ingest(body: unknown): IngestResult {
    if (!Array.isArray(body)) throw new InvalidInputError("body", body, "a JSON array of listening events, or NDJSON");
    const events: ListeningEvent[] = [];
    const positions: number[] = [];
    const rejections: Rejection[] = [];
    body.forEach((item: unknown, index) => {
      const parsed = listeningEvent.safeParse(item);
      if (!parsed.success) return rejections.push(rejectionOf(parsed.error, item, index));
      events.push(parsed.data);
      positions.push(index);
    });
    // The store converts timestamps to milliseconds and may still refuse one that overflows.
    const stored = store.ingest(events);
    for (const rejection of stored.rejections) rejections.push({ ...rejection, index: positions[rejection.index]! });
    rejections.sort((a, b) => a.index - b.index);
    const unreported = stored.rejected - stored.rejections.length;
    return { accepted: stored.accepted, rejected: rejections.length + unreported, rejections };
  }
}

/** The first issue as the SDK reports a rejection: the property at fault and, from the schema, what it must be. */
function rejectionOf(error: z.ZodError, item: unknown, index: number): Rejection {
  const issue = error.issues[0]!;
  const field = issue.path.length > 0 ? String(issue.path[0]) : "event";
  const value = field === "event" ? item : (item as Record<string, unknown>)[field];
  return { index, field, reason: new InvalidInputError(field, value, issue.message).message };
}
