// A real service with the GraphQL API on a loopback port (a free one unless `port` is given): the
// REST routes, mercurius, the event hub, the dashboard at /, and the seed's @rest recommender
// pointing at the service itself (or elsewhere).
import type { AddressInfo } from "node:net";
import { registerDashboard } from "../../src/dashboard/plugin.js";
import { EventHub, type EventHubOptions } from "../../src/graphql/event-hub.js";
import { graphqlWsAlias, registerGraphql, type GraphqlOptions } from "../../src/graphql/plugin.js";
import type { App } from "../../src/http/context.js";
import { buildServer } from "../../src/http/server.js";
import type { ProfileStore } from "../../src/index.js";

export interface GraphqlServer {
  app: App;
  url: string;
  hub: EventHub;
  /** Sends a query over POST /graphql; resolves to the status and the body. */
  query(query: string, variables?: Record<string, unknown>): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

export async function startGraphqlServer(
  store: ProfileStore,
  options: Partial<Omit<GraphqlOptions, "store" | "hub">> & { hub?: EventHubOptions; port?: number; dashboardRoot?: string } = {},
): Promise<GraphqlServer> {
  const { hub: hubOptions, port = 0, dashboardRoot, ...graphql } = options;
  const app = await buildServer(store, { rewriteUrl: graphqlWsAlias });
  const hub = new EventHub(store, hubOptions);
  let url = "";
  await registerGraphql(app, {
    store,
    hub,
    events: { write: async (events) => store.ingest(events as never) },
    recommenderBase: () => url,
    ...graphql,
  });
  await registerDashboard(app, dashboardRoot);
  await app.listen({ host: "127.0.0.1", port });
  url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const query = async (text: string, variables: Record<string, unknown> = {}) => {
    const response = await fetch(`${url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: text, variables }),
    });
    return { status: response.status, body: await response.json() };
  };
  return { app, url, hub, query, close: () => app.close() };
}
