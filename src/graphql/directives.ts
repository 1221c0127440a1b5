// Reads a schema's @topic and @rest directives into a plan of how each field resolves, checking every
// one at start: a directive that names an unknown topic, an argument or field that does not exist,
// stops the service with a message naming the type, the field and the value, and what is allowed.
import {
  buildSchema,
  getNamedType,
  isNonNullType,
  isObjectType,
  valueFromASTUntyped,
  type ConstDirectiveNode,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
} from "graphql";
import { EVENTS_ROLE, TOPIC_ROLES, type TopicNames, type TopicRole } from "./topics.js";

/** How one field resolves. */
export type FieldPlan =
  /** The value under the argument's value (of this field, or of the Query field that returns the parent type). */
  | { kind: "topic-argument"; role: Exclude<TopicRole, typeof EVENTS_ROLE>; keyArgument: string }
  /** The value under the parent object's field. */
  | { kind: "topic-field"; role: Exclude<TopicRole, typeof EVENTS_ROLE>; keyField: string }
  /** A mutation: the first argument is the key, the second the value written. */
  | { kind: "topic-write"; keyArgument: string; valueArgument: string }
  /** A subscription to every applied listening event. */
  | { kind: "topic-stream" }
  | { kind: "rest"; url: string; pathParameter: string[]; queryParameter: string[]; bodyParameter?: string; httpMethod: string };

export interface PlannedField {
  type: string;
  field: string;
  /** A missing value is null (nullable) or an error that bubbles (non-null). */
  nullable: boolean;
  plan: FieldPlan;
}

export interface SchemaPlan {
  schema: GraphQLSchema;
  fields: PlannedField[];
}

/** The declarations Quick's gateway brings along; added when a schema file does not declare them itself. */
const DECLARATIONS = {
  topic: "directive @topic(name: String!, keyArgument: String, keyField: String) on FIELD_DEFINITION",
  rest: "directive @rest(url: String!, pathParameter: [String], queryParameter: [String], bodyParameter: String, httpMethod: String) on FIELD_DEFINITION",
  Long: "scalar Long",
};

const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/** A schema that cannot be served; the message lists every problem, one per line. */
export class SchemaError extends Error {
  override readonly name = "SchemaError";
}

export function planSchema(source: string, names: TopicNames, origin = "the schema"): SchemaPlan {
  const schema = parse(withDeclarations(source), origin);
  const problems: string[] = [];
  const fields: PlannedField[] = [];
  // A topic answers to the seed's name and to the name it is configured under (say, a renamed Kafka topic).
  const roleOf = new Map<string, TopicRole>([...TOPIC_ROLES.map((role) => [role, role] as const), ...TOPIC_ROLES.map((role) => [names[role], role] as const)]);
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith("__")) continue;
    for (const field of Object.values(type.getFields())) {
      const where = `${type.name}.${field.name}`;
      const check = (problem: string | undefined) => problem && problems.push(`${where}: ${problem}`);
      const directives = field.astNode?.directives ?? [];
      const planned = directives.filter((d) => d.name.value === "topic" || d.name.value === "rest");
      if (planned.length > 1) check("has more than one @topic or @rest directive; give it one");
      for (const directive of planned) {
        const args = directiveArguments(directive);
        const plan = directive.name.value === "topic" ? topicPlan(schema, type, field, args, roleOf, names, check) : restPlan(field, args, check);
        if (plan) fields.push({ type: type.name, field: field.name, nullable: !isNonNullType(field.type), plan });
      }
    }
  }
  if (problems.length > 0) throw new SchemaError(`${origin} cannot be served:\n  ${problems.join("\n  ")}`);
  return { schema, fields };
}

function parse(source: string, origin: string): GraphQLSchema {
  try {
    return buildSchema(source);
  } catch (error) {
    throw new SchemaError(`${origin} is not a valid GraphQL schema: ${(error as Error).message}`);
  }
}

function withDeclarations(source: string): string {
  const missing = Object.entries(DECLARATIONS)
    .filter(([name]) => !new RegExp(name === "Long" ? String.raw`\bscalar\s+Long\b` : String.raw`\bdirective\s+@${name}\b`).test(source))
    .map(([, declaration]) => declaration);
  return [...missing, source].join("\n");
}

type DirectiveArguments = Record<string, unknown>;

function directiveArguments(directive: ConstDirectiveNode): DirectiveArguments {
  return Object.fromEntries((directive.arguments ?? []).map((arg) => [arg.name.value, valueFromASTUntyped(arg.value)]));
}

const list = (values: Iterable<string>) => [...values].join(", ") || "none";

function topicPlan(
  schema: GraphQLSchema,
  type: GraphQLObjectType,
  field: GraphQLField<unknown, unknown>,
  args: DirectiveArguments,
  roleOf: Map<string, TopicRole>,
  names: TopicNames,
  check: (problem: string | undefined) => void,
): FieldPlan | undefined {
  const name = String(args.name);
  const role = roleOf.get(name);
  if (role === undefined) return void check(`@topic(name: "${name}") names no topic; the topics are ${list(roleOf.keys())}`);
  const { keyArgument, keyField } = args as { keyArgument?: string; keyField?: string };
  const fieldArgs = field.args.map((arg) => arg.name);
  if (type === schema.getMutationType()) {
    if (role !== EVENTS_ROLE) return void check(`a mutation writes listening events: @topic(name: "${names[EVENTS_ROLE]}"), not "${name}"`);
    if (fieldArgs.length !== 2) return void check(`a mutation takes the key and the value as its two arguments, it has ${fieldArgs.length}`);
    return { kind: "topic-write", keyArgument: fieldArgs[0]!, valueArgument: fieldArgs[1]! };
  }
  if (type === schema.getSubscriptionType()) {
    if (role !== EVENTS_ROLE) return void check(`a subscription streams listening events: @topic(name: "${names[EVENTS_ROLE]}"), not "${name}"`);
    return { kind: "topic-stream" };
  }
  if (role === EVENTS_ROLE) return void check(`"${name}" is written by mutations and streamed by subscriptions, it is not read by key`);
  if ((keyArgument === undefined) === (keyField === undefined)) return void check(`@topic(name: "${name}") needs exactly one of keyArgument and keyField`);
  if (keyField !== undefined) {
    const parentFields = Object.keys(type.getFields());
    if (!parentFields.includes(keyField)) return void check(`keyField "${keyField}" is not a field of ${type.name}; its fields are ${list(parentFields)}`);
    return { kind: "topic-field", role, keyField };
  }
  // Quick hands the arguments of a Query field to the fields of the type it returns.
  const allowed = new Set([...fieldArgs, ...queryFieldsReturning(schema, type).flatMap((query) => query.args.map((arg) => arg.name))]);
  if (!allowed.has(keyArgument!)) {
    return void check(`keyArgument "${keyArgument}" is not an argument of ${field.name} or of a Query field returning ${type.name}; the arguments are ${list(allowed)}`);
  }
  return { kind: "topic-argument", role, keyArgument: keyArgument! };
}

function queryFieldsReturning(schema: GraphQLSchema, type: GraphQLObjectType): Array<GraphQLField<unknown, unknown>> {
  return Object.values(schema.getQueryType()?.getFields() ?? {}).filter((query) => getNamedType(query.type) === type);
}

function restPlan(field: GraphQLField<unknown, unknown>, args: DirectiveArguments, check: (problem: string | undefined) => void): FieldPlan | undefined {
  const url = String(args.url);
  if (!/^https?:\/\/[^/\s]+/.test(url)) return void check(`@rest url "${url}" is not an http(s) URL`);
  const fieldArgs = field.args.map((arg) => arg.name);
  const httpMethod = String(args.httpMethod ?? "GET").toUpperCase();
  if (!HTTP_METHODS.includes(httpMethod)) return void check(`@rest httpMethod "${args.httpMethod}" is not one of ${HTTP_METHODS.join(", ")}`);
  // Without the lists, Quick puts non-null arguments in the path (in order) and nullable ones in the query.
  const pathParameter = (args.pathParameter as string[] | undefined) ?? field.args.filter((arg) => isNonNullType(arg.type)).map((arg) => arg.name);
  const queryParameter = (args.queryParameter as string[] | undefined) ?? field.args.filter((arg) => !isNonNullType(arg.type)).map((arg) => arg.name);
  const bodyParameter = args.bodyParameter as string | undefined;
  let ok = true;
  for (const [list_, names] of [["pathParameter", pathParameter], ["queryParameter", queryParameter], ["bodyParameter", bodyParameter === undefined ? [] : [bodyParameter]]] as const) {
    for (const name of names) {
      if (fieldArgs.includes(name)) continue;
      check(`@rest ${list_} "${name}" is not an argument of ${field.name}; its arguments are ${list(fieldArgs)}`);
      ok = false;
    }
  }
  return ok ? { kind: "rest", url, pathParameter, queryParameter, bodyParameter, httpMethod } : undefined;
}
