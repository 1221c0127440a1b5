// What one client may hold of the service: connections, time to send a request, idle keep-alive time,
// and requests on one connection. Node enforces the first three; requests per connection are counted
// here, where the answers stay in the catalogue's shape (Node answers an excess request with a bare 503).
import type { Server } from "node:http";
import type { Socket } from "node:net";
import type { FastifyHttpOptions } from "fastify";
import type { App } from "./context.js";
import type { Protections } from "./server-options.js";

/** Requests of one connection handled at once; HTTP answers them in order, so more would only queue answers. */
const HANDLED_PER_CONNECTION = 16;
/**
 * Requests of one connection read but not yet answered (handled or waiting). A client that pipelines
 * this many without reading the answers is closed: what it makes the service hold stays bounded.
 */
const UNANSWERED_PER_CONNECTION = 1024;

/** The fastify and Node server options that carry the protections. */
export function connectionOptions(protections: Protections): FastifyHttpOptions<Server> {
  const { requestTimeoutMs, headersTimeoutMs, keepAliveTimeoutMs } = protections;
  return {
    requestTimeout: requestTimeoutMs,
    keepAliveTimeout: keepAliveTimeoutMs,
    // A connection silent both ways for twice the request timeout is closed, e.g. one whose client stopped
    // reading; twice, so that a slow request gets its 408 before its connection is dropped unanswered.
    connectionTimeout: 2 * requestTimeoutMs,
    http: {
      requestTimeout: requestTimeoutMs,
      headersTimeout: headersTimeoutMs,
      // Node checks the request and headers timeouts at this interval (by default only every 30 s).
      connectionsCheckingInterval: Math.min(1_000, headersTimeoutMs),
      // access.ts refuses a request without Host in the catalogue's shape (Node's own answer is an empty 400).
      requireHostHeader: false,
    },
  };
}

interface ConnectionLoad {
  /** Requests read from the connection so far. */
  requests: number;
  unanswered: number;
  waiting: Array<() => void>;
}

/**
 * Caps connections, and the requests one connection has in the service; register before other hooks.
 * A request the service will not handle is left unanswered: its connection is closing, and HTTP lets
 * the client send it again on another.
 */
export function limitConnections(app: App, { maxConnections, maxRequestsPerSocket }: Protections): void {
  app.server.maxConnections = maxConnections;
  const loads = new WeakMap<Socket, ConnectionLoad>();
  app.addHook("onRequest", (request, reply, done) => {
    const socket = request.raw.socket;
    // Read from a connection already closed: there is no one to answer.
    if (socket.destroyed) return;
    let load = loads.get(socket);
    if (load === undefined) loads.set(socket, (load = { requests: 0, unanswered: 0, waiting: [] }));
    load.requests++;
    // Past the answer that said Connection: close, a server must not handle more (RFC 9112 9.6).
    if (maxRequestsPerSocket > 0 && load.requests > maxRequestsPerSocket) return;
    if (load.requests === maxRequestsPerSocket) reply.header("connection", "close");
    if (load.unanswered >= UNANSWERED_PER_CONNECTION) {
      request.log.warn(`closing a connection with ${load.unanswered} requests unanswered: its client does not read the answers`);
      socket.destroy();
      return;
    }
    load.unanswered++;
    const own = load;
    reply.raw.once("close", () => {
      own.unanswered--;
      if (!socket.destroyed) own.waiting.shift()?.();
    });
    if (load.unanswered - load.waiting.length > HANDLED_PER_CONNECTION) load.waiting.push(done);
    else done();
  });
}
