// Fastify validates and types requests with the zod schemas themselves (no JSON Schema in between):
// the validator compiler runs zod and turns its first issue into the SDK's InvalidInputError, the
// type provider gives handlers the schemas' output types.
import type { FastifySchemaCompiler, FastifySerializerCompiler, FastifyTypeProvider } from "fastify";
import type { z } from "zod";
import { InvalidInputError } from "../errors.js";

export interface ZodTypeProvider extends FastifyTypeProvider {
  validator: this["schema"] extends z.ZodType ? z.output<this["schema"]> : unknown;
  serializer: this["schema"] extends z.ZodType ? z.input<this["schema"]> : unknown;
}

export const zodValidatorCompiler: FastifySchemaCompiler<z.ZodType> = ({ schema, httpPart }) => {
  return (data) => {
    const result = schema.safeParse(data);
    return result.success ? { value: result.data } : { error: toInvalidInput(result.error, data, httpPart ?? "request") };
  };
};

/** Responses are built by the service itself, so their schemas document them and are not enforced. */
export const jsonSerializerCompiler: FastifySerializerCompiler<z.ZodType> = () => (data) => JSON.stringify(data);

/** The parameter at fault in the first issue (the schemas' messages are the "allowed" texts). */
function toInvalidInput(error: z.ZodError, data: unknown, part: string): InvalidInputError {
  const issue = error.issues[0]!;
  const key = issue.code === "unrecognized_keys" ? issue.keys[0]! : issue.path[0];
  if (key === undefined) return new InvalidInputError(part, data, issue.message);
  const value = typeof data === "object" && data !== null ? (data as Record<PropertyKey, unknown>)[key] : undefined;
  return new InvalidInputError(String(key), value, issue.message);
}
