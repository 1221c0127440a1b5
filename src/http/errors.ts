// The service's error catalogue: every error answer has one code from here, a status and a JSON body
// `{error, message}`; an invalid parameter also names the parameter, its value and what is allowed.
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { InvalidInputError, describe } from "../errors.js";

export const HTTP_ERRORS = {
  invalid_parameter: { status: 400, description: "A parameter is invalid: the body names it, its value and what is allowed" },
  invalid_body: { status: 400, description: "The body is empty, not valid JSON or NDJSON, or has a __proto__ key" },
  bad_request: { status: 400, description: "The request is malformed: not valid HTTP, or a broken URL encoding" },
  unauthorized: { status: 401, description: "The service has an API key and the request lacks it (header X-API-Key) or has another" },
  user_not_found: { status: 404, description: "No events of this user have been seen" },
  item_not_found: { status: 404, description: "No name is known for this item" },
  route_not_found: { status: 404, description: "No route has this path" },
  method_not_allowed: { status: 405, description: "The path exists but not with this method; the Allow header lists its methods" },
  request_timeout: { status: 408, description: "The request's headers or body did not arrive within the service's timeouts" },
  body_too_large: { status: 413, description: "The body is larger than the service's body limit" },
  unsupported_media_type: {
    status: 415,
    description: "The body's content type is not application/json or application/x-ndjson, or it is compressed (Content-Encoding)",
  },
  expectation_failed: { status: 417, description: "The request's Expect header asks for something other than 100-continue" },
  host_not_allowed: { status: 421, description: "The Host header names a host this service does not answer to (DNS-rebinding protection)" },
  headers_too_large: { status: 431, description: "The request line and headers are larger than Node's limit (16 KiB by default)" },
  not_ready: { status: 503, description: "Data is still loading, or the service is shutting down" },
  internal_error: { status: 500, description: "A fault in the service; it is logged" },
} as const;

export type ErrorCode = keyof typeof HTTP_ERRORS;

const invalidParameterFields = {
  parameter: z.string().meta({ description: "The parameter at fault, e.g. walks" }),
  value: z.unknown().meta({ description: "The value it had (long text is shortened)" }),
  allowed: z.string().meta({ description: "What the parameter allows" }),
};

/** Response schemas for a route's possible errors, one per status, with their codes in the description. */
export function errorResponses(...codes: ErrorCode[]): Record<number, z.ZodType> {
  const byStatus: Record<number, z.ZodType> = {};
  for (const status of new Set(codes.map((code) => HTTP_ERRORS[code].status))) {
    const group = codes.filter((code) => HTTP_ERRORS[code].status === status);
    const description = group.map((code) => `${code}: ${HTTP_ERRORS[code].description}`).join(". ");
    byStatus[status] = errorSchema(group).meta({ description });
  }
  return byStatus;
}

function errorSchema(codes: ErrorCode[]): z.ZodObject {
  const body = z.object({ error: z.enum(codes), message: z.string() });
  if (!codes.includes("invalid_parameter")) return body;
  const detailed = body.extend(invalidParameterFields);
  // The other codes of the same status carry no parameter fields.
  return codes.length === 1 ? detailed : detailed.partial({ parameter: true, value: true, allowed: true });
}

/** An error the service raises itself, with its code from the catalogue. */
export class ServiceError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function sendError(reply: FastifyReply, code: ErrorCode, message: string): FastifyReply {
  return reply.code(HTTP_ERRORS[code].status).send({ error: code, message });
}

/** Maps every thrown or validation error to the catalogue; only faults of the service are 500s. */
export function handleError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof InvalidInputError) {
    const { parameter, value, allowed, message } = error;
    return reply.code(400).send({ error: "invalid_parameter", parameter, value: echo(value), allowed, message });
  }
  const code = error instanceof ServiceError ? error.code : codeOf(error as FastifyError);
  if (code !== "internal_error") return sendError(reply, code, error.message);
  request.log.error({ err: error }, "request failed");
  return sendError(reply, code, "internal error");
}

function codeOf(error: FastifyError): ErrorCode {
  const status = error.statusCode ?? 500;
  if (status === 413) return "body_too_large";
  if (status === 415) return "unsupported_media_type";
  if (status >= 500) return "internal_error";
  return error.code?.startsWith("FST_ERR_CTP_") ? "invalid_body" : "bad_request";
}

/** A value as the client sent it, but short: an error body should not mirror a megabyte back. */
function echo(value: unknown): unknown {
  if (typeof value === "string") return value.length > 80 ? `${value.slice(0, 80)}…` : value;
  if (typeof value === "number" || typeof value === "boolean" || value === null) return value;
  if (value === undefined) return null;
  // A repeated query parameter (`?limit=1&limit=2`) as sent; any other structure as its bounded description.
  if (Array.isArray(value) && value.length <= 10 && value.every((item) => typeof item === "string" && item.length <= 80)) return value;
  return describe(value);
}
