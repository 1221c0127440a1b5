// Resolvers made from a schema's plan: @topic fields read the engine (keyField lookups batched per
// topic per tick, where Quick sends one request per parent object), @rest fields call HTTP, the
// mutation writes through the service's event sink, the subscription streams the event hub.
import DataLoader from "dataloader";
import { GraphQLError, getNamedType, isObjectType, type GraphQLFieldResolver, type GraphQLSchema } from "graphql";
import { InvalidInputError } from "../errors.js";
import type { EventSink } from "../http/context.js";
import type { ProfileStore } from "../profile-store.js";
import { FIELDS, type Field } from "../types.js";
import type { PlannedField, SchemaPlan } from "./directives.js";
import type { EventHub } from "./event-hub.js";
import { LongScalar } from "./long.js";
import { callRest, restRequest, type RestOptions } from "./rest.js";
import { EVENTS_ROLE, topicReader, type TopicNames, type TopicRead, type TopicRole } from "./topics.js";

/** The arguments of the Query field an object came from: Quick hands them to the fields below it. */
export const QUERY_ARGS = Symbol("query arguments");

type KeyedRole = Exclude<TopicRole, typeof EVENTS_ROLE>;

export interface ResolverOptions extends RestOptions {
  /** Where the mutation writes: the service's event sink (the store, or Kafka in Kafka mode). */
  store: ProfileStore;
  events: EventSink;
  hub: EventHub;
  names: TopicNames;
  /** Hears each batch of keyed lookups (for metrics and tests). */
  onBatch?: (topic: string, keys: number) => void;
  /** Readiness and Kafka lag for serviceStatus; ready and no lag when absent. */
  status?: () => ServiceHealth;
}

export interface ServiceHealth {
  ready: boolean;
  /** Records in Kafka not yet applied; undefined without Kafka. */
  kafkaLag?: number;
}

/** Per request (or per subscription connection): one batch per topic per tick. */
export class TopicLoaders {
  private readonly loaders = new Map<KeyedRole, DataLoader<number, unknown>>();

  constructor(private readonly readers: Map<KeyedRole, TopicRead>, private readonly options: Pick<ResolverOptions, "names" | "onBatch">) {}

  load(role: KeyedRole, key: number): Promise<unknown> {
    let loader = this.loaders.get(role);
    if (!loader) {
      const read = this.readers.get(role)!;
      // No cache: a subscription's loaders live as long as its connection, and names change.
      loader = new DataLoader(async (keys) => {
        this.options.onBatch?.(this.options.names[role], keys.length);
        return keys.map((k) => read(k));
      }, { cache: false });
      this.loaders.set(role, loader);
    }
    return loader.load(key);
  }
}

export interface GraphqlContext {
  topics: TopicLoaders;
}

type Resolver = GraphQLFieldResolver<any, GraphqlContext>;
type Resolvers = Record<string, Record<string, Resolver | { subscribe: Resolver; resolve: Resolver }> | typeof LongScalar>;

const NAME_ROLE: Record<Field, KeyedRole> = { ARTIST: "artists", ALBUM: "albums", TRACK: "tracks" };

export function buildResolvers(plan: SchemaPlan, options: ResolverOptions): { resolvers: Resolvers; loaders: () => TopicLoaders } {
  const { schema } = plan;
  const readers = new Map<KeyedRole, TopicRead>();
  const reader = (role: KeyedRole) => {
    if (!readers.has(role)) readers.set(role, topicReader(options.store, role));
    return readers.get(role)!;
  };
  for (const role of Object.keys(NAME_ROLE).map((f) => NAME_ROLE[f as Field])) reader(role);
  const resolvers: Resolvers = { Long: LongScalar };
  const set = (type: string, field: string, resolver: Resolver | { subscribe: Resolver; resolve: Resolver }) => {
    ((resolvers[type] ??= {}) as Record<string, unknown>)[field] = resolver;
  };
  const planned = new Set(plan.fields.map((f) => `${f.type}.${f.field}`));
  for (const field of plan.fields) {
    if (field.plan.kind === "topic-argument" || field.plan.kind === "topic-field") reader(field.plan.role);
    set(field.type, field.field, fieldResolver(schema, field, options, reader));
  }
  addNativeResolvers(schema, planned, options, set);
  return { resolvers, loaders: () => new TopicLoaders(readers, options) };
}

function fieldResolver(
  schema: GraphQLSchema,
  { type, field, nullable, plan }: PlannedField,
  options: ResolverOptions,
  reader: (role: KeyedRole) => TopicRead,
): Resolver | { subscribe: Resolver; resolve: Resolver } {
  const where = `${type}.${field}`;
  switch (plan.kind) {
    case "topic-argument": {
      const read = reader(plan.role);
      return (parent, args) => {
        const key = args[plan.keyArgument] ?? parent?.[QUERY_ARGS]?.[plan.keyArgument];
        return present(key === undefined ? undefined : read(key), nullable, options.names[plan.role], key, where);
      };
    }
    case "topic-field":
      return async (parent, _args, context) => {
        const key = parent?.[plan.keyField];
        const value = typeof key === "number" ? await context.topics.load(plan.role, key) : undefined;
        return present(value, nullable, options.names[plan.role], key, where);
      };
    case "topic-write":
      return async (_root, args) => {
        const event = args[plan.valueArgument];
        const result = await options.events.write([event]);
        const rejection = result.rejections[0];
        if (rejection) throw new GraphQLError(`${plan.valueArgument}.${rejection.reason}`, { extensions: { code: "INVALID_EVENT", field: rejection.field } });
        return event;
      };
    case "topic-stream":
      return { subscribe: () => options.hub.subscribe(), resolve: (event) => event };
    case "rest": {
      const parent = schema.getType(type);
      const argDefs = isObjectType(parent) ? parent.getFields()[field]!.args : [];
      return async (_parent, args) => withQueryArgs(await callRest(restRequest(plan, args, argDefs, options), nullable, options), args);
    }
  }
}

/** A missing value: null on a nullable field; on a non-null one an error, and GraphQL's null-bubbling. */
function present(value: unknown, nullable: boolean, topic: string, key: unknown, where: string): unknown {
  if (value !== undefined) return value;
  if (nullable) return null;
  throw new GraphQLError(`${where}: no value under key ${String(key)} in topic ${topic}`, { extensions: { code: "NOT_FOUND", topic, key } });
}

/** Marks a REST answer's objects with the Query field's arguments, for fields such as Recommendation.item. */
function withQueryArgs(value: unknown, args: Record<string, unknown>, depth = 0): unknown {
  if (typeof value !== "object" || value === null || depth > 4) return value;
  if (Array.isArray(value)) for (const item of value) withQueryArgs(item, args, depth + 1);
  else {
    Object.defineProperty(value, QUERY_ARGS, { value: args, enumerable: false });
    for (const child of Object.values(value)) withQueryArgs(child, args, depth + 1);
  }
  return value;
}

/** Fields profile-store resolves itself when the schema has them, and the Query fields Quick passes through. */
function addNativeResolvers(
  schema: GraphQLSchema,
  planned: Set<string>,
  { store, status }: ResolverOptions,
  set: (type: string, field: string, resolver: Resolver) => void,
): void {
  const query = schema.getQueryType();
  for (const field of Object.values(query?.getFields() ?? {})) {
    const where = `${query!.name}.${field.name}`;
    if (planned.has(where)) continue;
    if (field.name === "listeners") set(query!.name, field.name, (_root, args) => sdk(() => store.listeners({ limit: args.limit, order: args.order })));
    else if (field.name === "searchItems") set(query!.name, field.name, (_root, args) => sdk(() => store.searchNames(args.field, args.text, args.limit)));
    else if (field.name === "serviceStatus") set(query!.name, field.name, () => serviceStatus(store, status?.() ?? { ready: true }));
    else if (isObjectType(getNamedType(field.type))) set(query!.name, field.name, (_root, args) => ({ [QUERY_ARGS]: args }));
  }
  if (schema.getType("Recommendation") && !planned.has("Recommendation.item")) {
    set("Recommendation", "item", (parent, _args, context) => {
      const field = String(parent?.[QUERY_ARGS]?.field ?? "ARTIST") as Field;
      return FIELDS.includes(field) ? context.topics.load(NAME_ROLE[field], parent.id).then((item) => item ?? null) : null;
    });
  }
}

function serviceStatus(store: ProfileStore, { ready, kafkaLag }: ServiceHealth) {
  const stats = store.stats();
  return {
    ready,
    eventsAccepted: stats.events.accepted,
    eventsRejected: stats.events.rejected,
    listeners: stats.users,
    graphs: FIELDS.map((field) => ({ field, items: stats.fields[field].items, edges: stats.fields[field].edges })),
    kafkaLag: kafkaLag ?? null,
  };
}

/** An SDK call whose InvalidInputError becomes a GraphQL error naming the argument. */
function sdk<T>(call: () => T): T {
  try {
    return call();
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error;
    throw new GraphQLError(error.message, { extensions: { code: "INVALID_ARGUMENT", argument: error.parameter, allowed: error.allowed } });
  }
}
