// The Long scalar of Quick's schemas: ids and epoch-ms timestamps, exact up to 2^53-1 in JavaScript.
// Out: a JSON number. In: an integer literal or a string of digits, as Quick's gateway accepts it.
import { GraphQLScalarType, Kind, type ValueNode } from "graphql";

export const LONG_ALLOWED = "an integer from 0 to 2^53-1 (a number or a string of digits)";

/** The Long a value stands for, or undefined. */
export function longValue(value: unknown): number | undefined {
  const number = typeof value === "string" && /^\d{1,16}$/.test(value) ? Number(value) : value;
  return typeof number === "number" && Number.isSafeInteger(number) && number >= 0 ? number : undefined;
}

/** A literal's value, as far as a Long can be written: an integer, a float or a string. */
export function literal(node: ValueNode): unknown {
  if (node.kind === Kind.INT || node.kind === Kind.FLOAT) return Number(node.value);
  return node.kind === Kind.STRING ? node.value : undefined;
}

function toLong(value: unknown): number {
  const long = longValue(value);
  if (long !== undefined) return long;
  // A plain error: graphql-js then says where (the variable, or the literal's type and location).
  throw new TypeError(`Long must be ${LONG_ALLOWED}, got ${typeof value === "string" ? JSON.stringify(value.slice(0, 40)) : String(value)}`);
}

export const LongScalar = new GraphQLScalarType({
  name: "Long",
  description: "An integer from 0 to 2^53-1",
  serialize: toLong,
  parseValue: toLong,
  // A bad literal is reported, naming its argument, by the plugin's validation rule (longArguments).
  parseLiteral: (node) => toLong(literal(node)),
});
