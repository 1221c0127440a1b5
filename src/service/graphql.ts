// The GraphQL API on the service: the schema (the seed's, or the user's file), the @rest recommender
// (this service itself unless mapped elsewhere), the events of the mutation through the service's
// event sink, and the topic names of the Kafka source where it has them.
import type { AddressInfo } from "node:net";
import { EventHub } from "../graphql/event-hub.js";
import { readSchemaFile, registerGraphql } from "../graphql/plugin.js";
import type { TopicNames } from "../graphql/topics.js";
import type { App, Readiness, ServiceContext } from "../http/context.js";
import { SERVICE_DEFAULTS, type DataSource, type GraphqlSettings } from "./settings.js";

export async function mountGraphql(
  app: App,
  context: ServiceContext,
  settings: GraphqlSettings,
  topics: Partial<TopicNames>,
  access: { apiKey?: string; forReads: boolean },
): Promise<EventHub> {
  const hub = new EventHub(context.store, settings.hub);
  const callsItself = settings.recommenderBase === undefined;
  // Bound to every address, the service calls itself on loopback, which its Host check allows.
  const self = () => {
    const { address, family, port } = app.server.address() as AddressInfo;
    const host = address === "0.0.0.0" ? "127.0.0.1" : address === "::" ? "::1" : address;
    return `http://${family === "IPv6" ? `[${host}]` : host}:${port}`;
  };
  await registerGraphql(app, {
    store: context.store,
    events: context.events,
    hub,
    schema: settings.schema ?? (settings.schemaFile === undefined ? undefined : await readSchemaFile(settings.schemaFile)),
    topics: { ...topics, ...settings.topics },
    onBatch: settings.onBatch,
    status: settings.status ?? (() => statusOf(context.readiness)),
    recommenderBase: callsItself ? self : () => settings.recommenderBase!,
    restHeaders: callsItself && access.apiKey !== undefined ? { "x-api-key": access.apiKey } : undefined,
    access,
    restTimeoutMs: settings.restTimeoutMs ?? SERVICE_DEFAULTS.restTimeoutMs,
  });
  return hub;
}

/** The @topic names a Kafka source renames: the input topics, as configured there. */
export function kafkaTopicNames(source: DataSource): Partial<TopicNames> {
  if (source.kind !== "kafka") return {};
  const { events, artists, albums, tracks } = source.topics;
  return { listeningevents: events, artists, albums, tracks };
}

/** Ready as /readyz says it; the lag of the data source where it has one. */
function statusOf(readiness: Readiness): { ready: boolean; kafkaLag?: number } {
  return { ready: readiness.state === "ready" && readiness.sourceProblem?.() === undefined, kafkaLag: readiness.sourceLag?.() };
}
