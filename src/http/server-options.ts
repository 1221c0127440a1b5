// The service's protections against slow, greedy or unwanted clients, with their defaults and bounds,
// validated when the server is built so that a bad value names itself.
import { z } from "zod";
import { parseOrThrow } from "../validation.js";

const bounded = (allowed: string, min: number, max: number) => {
  const error = { error: allowed };
  return z.int(error).min(min, error).max(max, error);
};
const millis = () => bounded("a time in milliseconds, an integer from 1 to 3600000", 1, 3_600_000);
const count = (min: number, max: number) => bounded(`an integer from ${min} to ${max}`, min, max);

/** A host name, an IPv4 address, an IPv6 address in brackets, or `*` for any host. */
const HOST = /^(\*|\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)$/;
const keyError = { error: "a non-empty string of visible ASCII characters (a header value)" };
const hostError = { error: "a list of host names without port: example.com, 10.0.0.5, [fd00::1] or *" };

export const protectionsSchema = z
  .object({
    requestTimeoutMs: millis().default(30_000),
    headersTimeoutMs: millis().optional(),
    keepAliveTimeoutMs: millis().default(5_000),
    maxConnections: count(1, 1_000_000).default(1_000),
    maxRequestsPerSocket: count(0, 1_000_000_000).default(0),
    apiKey: z.string(keyError).regex(/^[\x21-\x7e]+$/, keyError).optional(),
    apiKeyForReads: z.boolean({ error: "true or false" }).default(false),
    allowedHosts: z.array(z.string(hostError).regex(HOST, hostError), hostError).default([]),
  }, { error: "an object" })
  // Node refuses a headers timeout above the request timeout; the default follows a shorter request timeout.
  .transform(({ headersTimeoutMs, ...options }) => ({ ...options, headersTimeoutMs: headersTimeoutMs ?? Math.min(10_000, options.requestTimeoutMs) }))
  .refine((options) => options.headersTimeoutMs <= options.requestTimeoutMs, {
    path: ["headersTimeoutMs"],
    error: "at most requestTimeoutMs: the headers are part of the request",
  })
  .refine((options) => options.apiKey !== undefined || !options.apiKeyForReads, { path: ["apiKeyForReads"], error: "false without an apiKey" });

export type ProtectionOptions = z.input<typeof protectionsSchema>;
export type Protections = z.output<typeof protectionsSchema>;

export function resolveProtections(options: ProtectionOptions): Protections {
  return parseOrThrow(protectionsSchema, options, "server options");
}
