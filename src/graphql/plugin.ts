// The GraphQL API on the service's fastify app, with mercurius: POST and GET /graphql, WebSocket
// subscriptions at /graphql-ws (and /graphql) in both the graphql-transport-ws protocol and the
// legacy graphql-ws one the seed's dashboard speaks. The schema is a document (Quick's, by default),
// its directives say how every field resolves (src/graphql/directives.ts).
import { readFile } from "node:fs/promises";
import type { FastifyInstance } from "fastify";
import { GraphQLError, Kind, getNamedType, print, type ValidationRule } from "graphql";
import mercurius from "mercurius";
import { InvalidInputError } from "../errors.js";
import { apiKeyCheck } from "../http/access.js";
import { packageFile } from "../package-file.js";
import type { ProfileStore } from "../profile-store.js";
import { planSchema } from "./directives.js";
import type { EventHub } from "./event-hub.js";
import { LONG_ALLOWED, literal, longValue } from "./long.js";
import type { EventSink } from "../http/context.js";
import { buildResolvers, type GraphqlContext, type ServiceHealth } from "./resolvers.js";
import { topicNames, type TopicNames } from "./topics.js";

const GRAPHQL_LIMITS = {
  /** Deepest selection a query may have. */
  depth: 12,
  /** Most field selections in one query document. */
  fields: 500,
  /** Most REST calls (fields with @rest) in one query. */
  restCalls: 10,
};

export interface GraphqlOptions {
  store: ProfileStore;
  /** The service's event sink: the mutation writes there. */
  events: EventSink;
  hub: EventHub;
  /** The schema's text and where it came from (for messages); default: the shipped schema. */
  schema?: { source: string; origin: string };
  /** Topic names as the schema's directives use them; by default the seed's. */
  topics?: Partial<TopicNames>;
  /** Where the seed's `http://recommender` goes: by default this service itself. */
  recommenderBase: () => string;
  restTimeoutMs?: number;
  /** Headers every @rest call sends (the service's own API key, when it calls itself). */
  restHeaders?: Record<string, string>;
  /** With an API key, mutations need it in X-API-Key, and with `forReads` every operation does. */
  access?: { apiKey?: string; forReads: boolean };
  onBatch?: (topic: string, keys: number) => void;
  /** Readiness and Kafka lag, for the serviceStatus query; "ready, no Kafka" when absent. */
  status?: () => ServiceHealth;
}

/** Reads a schema file; the default is the one the package ships: Quick's profile example plus profile-store's additions. */
export async function readSchemaFile(path = packageFile("graphql/schema.gql", "reinstall the package")): Promise<{ source: string; origin: string }> {
  return { source: await readFile(path, "utf8"), origin: `schema ${path}` };
}

export async function registerGraphql(app: FastifyInstance, options: GraphqlOptions): Promise<void> {
  const { source, origin } = options.schema ?? (await readSchemaFile());
  const names = topicNames(options.topics);
  const plan = planSchema(source, names, origin);
  const { resolvers, loaders } = buildResolvers(plan, {
    store: options.store,
    events: options.events,
    hub: options.hub,
    names,
    recommenderBase: options.recommenderBase,
    timeoutMs: options.restTimeoutMs ?? 10_000,
    headers: options.restHeaders,
    onBatch: options.onBatch,
    status: options.status,
  });
  const restFields = new Set(plan.fields.filter((f) => f.plan.kind === "rest").map((f) => `${f.type}.${f.field}`));
  // The REST routes validate with zod; mercurius's own routes bring JSON schemas, and graphql-js
  // parses and validates every document itself, so its scope skips fastify's validation.
  await app.register(async (scope) => {
    scope.setValidatorCompiler(() => (value) => ({ value }));
    await scope.register(mercurius, {
    schema: plan.schema,
    resolvers: resolvers as never,
    path: "/graphql",
    // GraphiQL at /graphiql; the page loads GraphiQL itself from unpkg.com, so it needs a browser online.
    graphiql: true,
    // Compiles each query after its first run (graphql-jit): about twice the throughput on profiles.
    jit: 1,
    queryDepth: GRAPHQL_LIMITS.depth,
    validationRules: [workLimit(restFields), longArguments],
    context: (): GraphqlContext => ({ topics: loaders() }),
    subscription: {
      context: (): GraphqlContext => ({ topics: loaders() }),
      keepAlive: 20_000,
    },
    errorFormatter: (execution) => {
      // mercurius wraps a document's validation errors in one error; list them one by one.
      const all = (execution.errors ?? []).flatMap((error) => {
        const inner = (error.originalError as { errors?: unknown } | undefined)?.errors;
        return Array.isArray(inner) ? inner.map((e) => (e instanceof GraphQLError ? e : new GraphQLError(String(e?.message ?? e)))) : [error];
      });
      const errors = withoutRepeatedLongErrors(all).map((error) => publicError(error, app).toJSON());
      // Execution errors travel beside the data with 200, as Quick's gateway answers; a refused document gets mercurius's status (400).
      const status = (execution.errors ?? []).map((e) => (e.originalError as { statusCode?: number } | undefined)?.statusCode).find(Number.isInteger);
      return { statusCode: execution.data ? 200 : (status ?? 200), response: { data: execution.data ?? null, errors } };
    },
  });
    if (options.access?.apiKey !== undefined) requireKey(scope, options.access.apiKey, options.access.forReads);
  });
  app.addHook("onClose", async () => options.hub.close());
}

/** POST /graphql skips the server's key check, which cannot tell a query from a mutation: this can. */
function requireKey(scope: FastifyInstance, apiKey: string, forReads: boolean): void {
  const check = apiKeyCheck(apiKey);
  scope.graphql.addHook("preExecution", async (_schema, document, context) => {
    const writes = document.definitions.some((d) => d.kind === Kind.OPERATION_DEFINITION && d.operation === "mutation");
    if (!writes && !forReads) return;
    const refusal = check(context.reply?.request.headers["x-api-key"]);
    if (refusal) throw new GraphQLError(refusal.message, { extensions: { code: "UNAUTHORIZED" } });
  });
}

/** Bounds the work of one query: its field selections and its REST calls. */
function workLimit(restFields: Set<string>): ValidationRule {
  return (context) => {
    let fields = 0;
    let restCalls = 0;
    return {
      Field(node) {
        fields++;
        const parent = context.getParentType();
        if (parent && restFields.has(`${parent.name}.${node.name.value}`)) restCalls++;
      },
      Document: {
        leave() {
          if (fields > GRAPHQL_LIMITS.fields) context.reportError(new GraphQLError(`the query selects ${fields} fields; at most ${GRAPHQL_LIMITS.fields} are allowed`));
          if (restCalls > GRAPHQL_LIMITS.restCalls) {
            context.reportError(new GraphQLError(`the query makes ${restCalls} recommendation (REST) calls; at most ${GRAPHQL_LIMITS.restCalls} are allowed`));
          }
        },
      },
    };
  };
}

/** A Long argument written as a literal is checked here, so that the error names the argument. */
const longArguments: ValidationRule = (context) => ({
  Argument(node) {
    const argument = context.getArgument();
    if (!argument || getNamedType(argument.type).name !== "Long" || node.value.kind === Kind.VARIABLE) return;
    if (node.value.kind === Kind.NULL || longValue(literal(node.value)) !== undefined) return;
    context.reportError(new GraphQLError(`argument ${node.name.value} must be ${LONG_ALLOWED}, got ${print(node.value)}`, { nodes: node.value }));
  },
});

/** graphql-js reports a bad Long literal too, without naming the argument; longArguments has said it better. */
function withoutRepeatedLongErrors(errors: readonly GraphQLError[]): GraphQLError[] {
  const named = new Set(errors.filter((e) => e.message.startsWith("argument ")).map((e) => JSON.stringify(e.locations)));
  return errors.filter((e) => !(e.message.startsWith('Expected value of type "Long') && named.has(JSON.stringify(e.locations))));
}

/** Errors as clients see them: a fault of the service is "internal error", never its stack or message. */
function publicError(error: GraphQLError, app: FastifyInstance): GraphQLError {
  const original = error.originalError;
  if (original === undefined || original instanceof GraphQLError) return error;
  if (original instanceof InvalidInputError) {
    return new GraphQLError(original.message, { nodes: error.nodes, path: error.path, extensions: { code: "INVALID_ARGUMENT", argument: original.parameter } });
  }
  // mercurius's own errors (a bad request, too deep a query) carry a status below 500.
  const status = (original as { statusCode?: number }).statusCode;
  if (status !== undefined && status < 500) return error;
  app.log.error({ err: original, path: error.path }, "GraphQL resolver failed");
  return new GraphQLError("internal error", { nodes: error.nodes, path: error.path, extensions: { code: "INTERNAL" } });
}
