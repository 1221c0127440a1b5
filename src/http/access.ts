// Who may ask: the Host header must name this service, so that a web page whose name was rebound to
// this address (DNS rebinding) cannot use it; and with an API key set, writes (and optionally reads)
// must carry it in X-API-Key, as Quick's gateway sends it.
import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyRequest } from "fastify";
import type { App } from "./context.js";
import { sendError, ServiceError } from "./errors.js";
import type { Protections } from "./server-options.js";

/** The names of a service bound to loopback; allowedHosts adds the names clients use beyond it. */
const LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "[::1]"] as const;
/** Routes an orchestrator probes: they never need the key. */
const PROBES = new Set(["/healthz", "/readyz"]);
const READS = new Set(["GET", "HEAD", "OPTIONS"]);

/** POST /graphql carries reads and writes alike: the GraphQL API checks the key per operation (apiKeyCheck). */
const CHECKED_PER_OPERATION = "/graphql";

export function registerAccessChecks(app: App, { apiKey, apiKeyForReads, allowedHosts }: Protections): void {
  const hosts = new Set<string>([...LOOPBACK_HOSTS, ...allowedHosts.map((host) => host.toLowerCase())]);
  const checkKey = apiKeyCheck(apiKey);
  app.addHook("onRequest", (request, reply, done) => {
    const refusal = hostRefusal(request, hosts) ?? (needsKey(request, apiKeyForReads) ? checkKey(request.headers["x-api-key"]) : undefined);
    if (refusal === undefined) return done();
    if (refusal.code === "unauthorized") reply.header("www-authenticate", 'ApiKey header="X-API-Key"');
    // Answered here, not through the route's error handler: GraphQL's (GET /graphql, its WebSocket
    // upgrade) would make a refusal a 200 with an internal error. A refused upgrade's socket has left
    // the HTTP server, which would neither reuse nor close it: it closes once the answer is out.
    if (request.headers.upgrade !== undefined) reply.raw.once("finish", () => request.raw.socket.destroy());
    sendError(reply, refusal.code, refusal.message);
  });
}

/** Checks an X-API-Key header against the key; with no key set, everything passes. */
export function apiKeyCheck(apiKey: string | undefined): (given: string | string[] | undefined) => ServiceError | undefined {
  if (apiKey === undefined) return () => undefined;
  const keyDigest = digest(apiKey);
  return (given) => keyRefusal(given, keyDigest);
}

function hostRefusal(request: FastifyRequest, hosts: Set<string>): ServiceError | undefined {
  const header = request.headers.host;
  if (header === undefined) {
    // RFC 9112 3.2: an HTTP/1.1 request must name its host. No browser leaves it out, so an HTTP/1.0
    // request without one (say, a plain health checker) is no rebinding and is served.
    return request.raw.httpVersion === "1.0" ? undefined : new ServiceError("bad_request", "an HTTP/1.1 request needs a Host header");
  }
  if (hosts.has("*") || hosts.has(hostName(header))) return undefined;
  return new ServiceError("host_not_allowed", `the Host header names ${JSON.stringify(header.slice(0, 100))}, which this service does not answer to`);
}

/** The host of a Host header, without its port: `[::1]:8080` is `[::1]`, `Example.com:80` is `example.com`. */
function hostName(header: string): string {
  const end = header.startsWith("[") ? header.indexOf("]") + 1 : header.indexOf(":");
  return (end > 0 ? header.slice(0, end) : header).toLowerCase();
}

function needsKey(request: FastifyRequest, forReads: boolean): boolean {
  if (request.method === "POST" && request.routeOptions.url === CHECKED_PER_OPERATION) return false;
  if (!READS.has(request.method)) return true;
  return forReads && !PROBES.has(request.routeOptions.url ?? "");
}

function keyRefusal(given: string | string[] | undefined, keyDigest: Buffer): ServiceError | undefined {
  if (typeof given !== "string") return new ServiceError("unauthorized", "this request needs the service's API key in the X-API-Key header");
  // Digests have one length, so the comparison takes the same time whatever was sent.
  if (timingSafeEqual(digest(given), keyDigest)) return undefined;
  return new ServiceError("unauthorized", "the X-API-Key header does not hold the service's API key");
}

function digest(key: string): Buffer {
  return createHash("sha256").update(key).digest();
}
