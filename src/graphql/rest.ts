// Quick's @rest directive: a real HTTP request per field, built as Quick's gateway builds it. Path
// parameters become URL segments in the listed order, present query parameters become name=value
// (absent ones are left out), every value in Java's toString() form.
import { GraphQLError, getNamedType, isEnumType, type GraphQLArgument } from "graphql";
import { request as undiciRequest, type Dispatcher } from "undici";
import type { FieldPlan } from "./directives.js";

type RestPlan = Extract<FieldPlan, { kind: "rest" }>;

export interface RestOptions {
  /** Where the seed's `http://recommender` points: this service itself, unless mapped elsewhere. */
  recommenderBase: () => string;
  /** How long a REST call may take (Quick sets none; default 10 s). */
  timeoutMs: number;
  /** Sent with every call. */
  headers?: Record<string, string>;
}

/** The seed's recommender host, which resolves to `recommenderBase`. */
const SEED_RECOMMENDER = /^http:\/\/recommender(?=\/|$)/;
/** An error body is attached to the GraphQL error up to this length. */
const MAX_ERROR_BODY = 2000;

/**
 * Java's Double.toString: plain decimals from 10^-3 to 10^7 (always with a fraction, `1.0`), else
 * computerized scientific notation (`1.0E-5`, `1.5E7`). JavaScript's shortest round-trip digits are
 * the digits Java prints.
 */
export function javaDouble(value: number): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity";
  if (value === 0) return Object.is(value, -0) ? "-0.0" : "0.0";
  const magnitude = Math.abs(value);
  if (magnitude >= 1e-3 && magnitude < 1e7) {
    const text = String(value);
    return text.includes(".") ? text : `${text}.0`;
  }
  const [mantissa, exponent] = value.toExponential().split("e") as [string, string];
  return `${mantissa.includes(".") ? mantissa : `${mantissa}.0`}E${Number(exponent)}`;
}

/** An argument's value as Java's toString() prints it: decimal integers, Java doubles, enum names. */
function javaString(value: unknown, arg: GraphQLArgument): string {
  const type = getNamedType(arg.type);
  if (typeof value === "number") return type.name === "Float" ? javaDouble(value) : String(value);
  if (isEnumType(type) || typeof value === "string" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}

/** The request Quick's gateway would send for these arguments. */
export function restRequest(plan: RestPlan, args: Record<string, unknown>, argDefs: readonly GraphQLArgument[], options: RestOptions) {
  const def = (name: string) => argDefs.find((arg) => arg.name === name)!;
  let url = plan.url.replace(SEED_RECOMMENDER, options.recommenderBase().replace(/\/$/, ""));
  for (const name of plan.pathParameter) url += `/${encodeURIComponent(javaString(args[name], def(name)))}`;
  const query = plan.queryParameter
    .filter((name) => args[name] !== undefined && args[name] !== null)
    .map((name) => `${encodeURIComponent(name)}=${encodeURIComponent(javaString(args[name], def(name)))}`);
  if (query.length > 0) url += `?${query.join("&")}`;
  const body = plan.bodyParameter === undefined ? undefined : JSON.stringify(args[plan.bodyParameter] ?? null);
  return { url, method: plan.httpMethod, body };
}

/**
 * Calls the REST service. 200: its JSON. 404 on a nullable field: null, as Quick does. Anything else,
 * a timeout or a refused connection: a GraphQL error (the field is null, the rest of the query answers).
 */
export async function callRest(request: ReturnType<typeof restRequest>, nullable: boolean, options: RestOptions): Promise<unknown> {
  let response: Dispatcher.ResponseData;
  try {
    // undici's request API, over kept-alive connections: about twice as fast as fetch on loopback.
    response = await undiciRequest(request.url, {
      method: request.method as Dispatcher.HttpMethod,
      body: request.body,
      headers: { ...options.headers, ...(request.body === undefined ? {} : { "content-type": "application/json" }) },
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
  } catch (error) {
    const code = (error as { code?: string }).code;
    const timedOut = code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT";
    const why = timedOut ? `did not answer within ${options.timeoutMs / 1000} s` : `could not be reached: ${causeOf(error)}`;
    throw new GraphQLError(`REST service ${why}`, { extensions: { code: "REST_UNAVAILABLE", url: request.url } });
  }
  if (response.statusCode === 200) return response.body.json();
  const text = await response.body.text().catch(() => "");
  if (response.statusCode === 404 && nullable) return null;
  throw new GraphQLError(`REST service responded with code ${response.statusCode}`, {
    extensions: { code: "REST_ERROR", status: response.statusCode, url: request.url, body: parseBody(text.slice(0, MAX_ERROR_BODY)) },
  });
}

function parseBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function causeOf(error: unknown): string {
  const { code, message } = error as { code?: string; message?: string };
  return code ?? message ?? String(error);
}
