// A service of a filled store, with the GraphQL API, on a free loopback port (the service module's
// startService, as `serve` starts it): a query helper over POST /graphql, and the event hub.
import type { EventHub } from "../../src/graphql/event-hub.js";
import type { GraphqlOptions } from "../../src/graphql/plugin.js";
import type { App } from "../../src/http/context.js";
import type { ProfileStore } from "../../src/index.js";
import type { GraphqlSettings } from "../../src/service/settings.js";
import { startTestService } from "./http-server.js";

export interface GraphqlServer {
  app: App;
  url: string;
  hub: EventHub;
  /** Sends a query over POST /graphql; resolves to the status and the body. */
  query(query: string, variables?: Record<string, unknown>): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

/**
 * Beside the service's GraphQL settings, `options` may name a schema text (with its origin), topics,
 * a batch listener and a status; a port (default any free one) and the dashboard's folder.
 */
export async function startGraphqlServer(
  store: ProfileStore,
  options: GraphqlSettings & Partial<Pick<GraphqlOptions, "schema" | "topics" | "onBatch" | "status">> & { port?: number; dashboardRoot?: string } = {},
): Promise<GraphqlServer> {
  const { port = 0, dashboardRoot, ...graphql } = options;
  const service = await startTestService({ kind: "store", store }, { graphql, port, dashboard: { root: dashboardRoot } });
  const query = async (text: string, variables: Record<string, unknown> = {}) => {
    const response = await fetch(`${service.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: text, variables }),
    });
    return { status: response.status, body: await response.json() };
  };
  return { app: service.app, url: service.url, hub: service.hub!, query, close: () => service.close() };
}
