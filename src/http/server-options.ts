// The service's protections against slow, greedy or unwanted clients, with their defaults and bounds,
// validated when the server is built so that a bad value names itself.
import { z } from "zod";
import { parseOrThrow } from "../validation.js";

const bounded = (allowed: string, min: number, max: number) => {
  const error = { error: allowed };
  return z.int(error).min(min, error).max(max, error);
};
/** Defaults and the bound of the timeouts, for the CLI's option table too. */
export const PROTECTION_DEFAULTS = { requestTimeoutMs: 30_000, headersTimeoutMs: 10_000, keepAliveTimeoutMs: 5_000, maxConnections: 1_000 } as const;
export const MAX_TIMEOUT_MS = 3_600_000;

const millis = () => bounded(`a time in milliseconds, an integer from 1 to ${MAX_TIMEOUT_MS}`, 1, MAX_TIMEOUT_MS);
const count = (min: number, max: number) => bounded(`an integer from ${min} to ${max}`, min, max);

/** A host name, an IPv4 address, an IPv6 address in brackets, or `*` for any host. */
const HOST = /^(\*|\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)$/;
const keyError = { error: "a non-empty string of visible ASCII characters (a header value)" };
const hostError = { error: "a list of host names without port: example.com, 10.0.0.5, [fd00::1] or *" };

const protectionsSchema = z
  .object({
    /**
     * Longest time to receive one request, headers and body, in ms (default 30000); a slower one gets
     * 408 and its connection is closed, as is a connection with no traffic either way for twice as long.
     */
    requestTimeoutMs: millis().default(PROTECTION_DEFAULTS.requestTimeoutMs),
    /** Longest time to receive a request's headers, in ms (default 10000, or requestTimeoutMs if shorter). */
    headersTimeoutMs: millis().optional(),
    /** How long an idle keep-alive connection stays open, in ms (default 5000). */
    keepAliveTimeoutMs: millis().default(PROTECTION_DEFAULTS.keepAliveTimeoutMs),
    /** Most connections open at once (default 1000); one beyond is closed as soon as it opens. */
    maxConnections: count(1, 1_000_000).default(PROTECTION_DEFAULTS.maxConnections),
    /**
     * Requests one connection may carry (default 0: no limit): the answer to the last says Connection:
     * close, and requests pipelined after it are left unanswered for the client to send again.
     */
    maxRequestsPerSocket: count(0, 1_000_000_000).default(0),
    /** When set, writes (POST /events) need the header `X-API-Key: <apiKey>`, else 401; compared in constant time. */
    apiKey: z.string(keyError).regex(/^[\x21-\x7e]+$/, keyError).optional(),
    /** With apiKey: every route but /healthz and /readyz needs the key, reads too (default false). */
    apiKeyForReads: z.boolean({ error: "true or false" }).default(false),
    /**
     * Hosts (without port) the Host header may name besides 127.0.0.1, localhost and [::1]; "*" allows
     * any. Another Host gets 421: a web page cannot reach the service by rebinding its own name to it.
     */
    allowedHosts: z.array(z.string(hostError).regex(HOST, hostError), hostError).default([]),
  }, { error: "an object" })
  // Node refuses a headers timeout above the request timeout; the default follows a shorter request timeout.
  .transform(({ headersTimeoutMs, ...options }) => ({ ...options, headersTimeoutMs: headersTimeoutMs ?? Math.min(PROTECTION_DEFAULTS.headersTimeoutMs, options.requestTimeoutMs) }))
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
