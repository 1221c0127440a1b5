// Requests no route answers: a known path asked with another method gets 405 and the path's methods in
// Allow (RFC 9110 15.5.6); any other path gets 404.
import type { App } from "./context.js";
import { ServiceError } from "./errors.js";

interface RoutePath {
  pattern: RegExp;
  methods: Set<string>;
}

/** Call before registering routes: it learns every route's path and methods as they are added. */
export function registerNotFound(app: App): void {
  const paths = new Map<string, RoutePath>();
  app.addHook("onRoute", ({ url, method }) => {
    const path = paths.get(url) ?? { pattern: pathPattern(url), methods: new Set<string>() };
    for (const name of [method].flat()) path.methods.add(name);
    // fastify answers HEAD wherever it answers GET.
    if (path.methods.has("GET")) path.methods.add("HEAD");
    paths.set(url, path);
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split("?", 1)[0]!;
    const allowed = new Set<string>();
    for (const { pattern, methods } of paths.values()) if (pattern.test(path)) for (const name of methods) allowed.add(name);
    if (allowed.size === 0) throw new ServiceError("route_not_found", `no route ${request.method} ${path.slice(0, 200)}`);
    const allow = [...allowed].sort().join(", ");
    reply.header("allow", allow);
    throw new ServiceError("method_not_allowed", `${request.method} is not allowed on ${path.slice(0, 200)}; allowed: ${allow}`);
  });
}

/** A route path as fastify writes it (`/charts/:userId/:field`, `/docs/*`) as a pattern for request paths. */
function pathPattern(url: string): RegExp {
  const parts = url.split("/").map((segment) => {
    if (segment === "*") return ".*";
    if (segment.startsWith(":")) return "[^/]+";
    return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  });
  return new RegExp(`^${parts.join("/")}$`);
}
