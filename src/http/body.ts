// Request bodies: JSON or NDJSON (anything else is 415), uncompressed, and read by one JSON parser for
// both, so that a body means the same in either content type.
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from "fastify";
import type { App } from "./context.js";
import { ServiceError } from "./errors.js";

export const NDJSON = "application/x-ndjson";

export function registerBodyParsers(app: App): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_request, body, done) => {
    try {
      done(null, parseJson(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  app.addContentTypeParser(NDJSON, { parseAs: "string" }, (_request, body, done) => {
    try {
      done(null, parseNdjson(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  app.addHook("preParsing", (request, reply, payload, done) => {
    refuseContentEncoding(request, reply, (error) => done(error ?? null, payload));
  });
}

function parseJson(text: string): unknown {
  if (text === "") throw new ServiceError("invalid_body", "the body is empty");
  return parseValue(text, "the body");
}

/** One JSON value per line; blank lines are skipped, any other bad line fails the whole body. */
function parseNdjson(text: string): unknown[] {
  const items: unknown[] = [];
  text.split("\n").forEach((line, index) => {
    if (line.trim() !== "") items.push(parseValue(line, `line ${index + 1} of the NDJSON body`));
  });
  return items;
}

/** Text that may spell one of the keys below, directly or with \u escapes; most bodies need no scan. */
const MAY_POISON = /__proto__|constructor|\\u00/;

/**
 * JSON.parse keeps a `__proto__` key as a plain property, but code that later copies or merges the value
 * would set a prototype with it: such bodies are refused, as fastify's own JSON parser refuses them.
 */
function parseValue(text: string, what: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ServiceError("invalid_body", `${what} is not valid JSON: ${(error as Error).message}`);
  }
  const key = MAY_POISON.test(text) ? prototypeKey(value) : undefined;
  if (key !== undefined) throw new ServiceError("invalid_body", `${what} has a ${key} key, which could change object prototypes`);
  return value;
}

/** The first `__proto__` or `constructor.prototype` key at any depth, found without recursion. */
function prototypeKey(root: unknown): string | undefined {
  const pending = [root];
  while (pending.length > 0) {
    const node = pending.pop();
    if (typeof node !== "object" || node === null) continue;
    if (Object.hasOwn(node, "__proto__")) return '"__proto__"';
    const record = node as Record<string, unknown>;
    const constructor = Object.hasOwn(node, "constructor") ? record.constructor : undefined;
    if (typeof constructor === "object" && constructor !== null && Object.hasOwn(constructor, "prototype")) return '"constructor.prototype"';
    if (Array.isArray(node)) for (const item of node) pending.push(item);
    else for (const key in record) pending.push(record[key]);
  }
  return undefined;
}

/**
 * Bodies are read as sent: a compressed one would be parsed as garbage, so any content coding but
 * identity is refused (RFC 9110 15.5.16), with Accept-Encoding saying what is accepted (RFC 7694).
 */
function refuseContentEncoding(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
  const coding = request.headers["content-encoding"];
  const hasBody = request.headers["transfer-encoding"] !== undefined || (request.headers["content-length"] ?? "0") !== "0";
  if (coding === undefined || !hasBody || /^\s*identity\s*$/i.test(coding)) return done();
  reply.header("accept-encoding", "identity");
  done(new ServiceError("unsupported_media_type", `Content-Encoding ${JSON.stringify(coding.slice(0, 40))} is not accepted: send the body uncompressed`));
}
