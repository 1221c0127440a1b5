// Validation at the edge of the SDK: zod for options and request parameters, a hand-written column
// check for events (zod per event would cost more than ingesting it).
import { z } from "zod";
import { MAX_CHART_SIZE, MAX_WALKS, SEGMENTS } from "../assembly/constants.js";
import { InvalidInputError } from "./errors.js";
import { FIELDS, type Field, type TimestampUnit } from "./types.js";

export const LIMITS = {
  limit: 1000,
  walks: MAX_WALKS,
  walkLength: 10000,
  chartSize: MAX_CHART_SIZE,
  maxEdgesPerGraph: 2 ** 32 - 1,
} as const;

export const RECOMMEND_DEFAULTS = { limit: 10, walks: 1000, walkLength: 100, resetProbability: 0.1 } as const;

const integer = (min: number, max: number) => z.number().int().min(min).max(max);

export const storeOptionsSchema = z.object({
  engine: z.enum(["wasm", "reference"]).default("wasm"),
  chartSize: integer(1, LIMITS.chartSize).default(10),
  maxEdgesPerGraph: z
    .union([z.literal(0), integer(SEGMENTS, LIMITS.maxEdgesPerGraph)])
    .default(0),
  timestampUnit: z.enum(["ms", "s", "auto"]).default("ms"),
});
export type ProfileStoreOptions = z.input<typeof storeOptionsSchema>;
export type ResolvedStoreOptions = z.output<typeof storeOptionsSchema>;

export const recommendParamsSchema = z.object({
  limit: integer(1, LIMITS.limit).default(RECOMMEND_DEFAULTS.limit),
  walks: integer(1, LIMITS.walks).default(RECOMMEND_DEFAULTS.walks),
  walkLength: integer(1, LIMITS.walkLength).default(RECOMMEND_DEFAULTS.walkLength),
  resetProbability: z.number().min(0).max(1).default(RECOMMEND_DEFAULTS.resetProbability),
  seed: integer(0, 2 ** 32 - 1).optional(),
});
export type RecommendOptions = z.input<typeof recommendParamsSchema>;

/** Parses with a zod schema, turning the first issue into an InvalidInputError that names the value. */
export function parseOrThrow<T extends z.ZodType>(schema: T, input: unknown, what: string): z.output<T> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = issue.path.join(".");
  const value = path ? issue.path.reduce<unknown>((v, key) => (v as Record<PropertyKey, unknown>)?.[key], input) : input;
  throw new InvalidInputError(path ? path : what, value, allowedText(issue));
}

function allowedText(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "too_small":
      return `${issue.origin === "number" ? "a number" : "a value"} >= ${String(issue.minimum)}`;
    case "too_big":
      return `${issue.origin === "number" ? "a number" : "a value"} <= ${String(issue.maximum)}`;
    case "invalid_value":
      return `one of ${issue.values.map(String).join(", ")}`;
    case "invalid_type":
      return `of type ${issue.expected}`;
    case "unrecognized_keys":
      return `without the keys ${issue.keys.join(", ")}`;
    default:
      return issue.message.replace(/^Invalid input: expected /, "");
  }
}

export function parseField(value: unknown): Field {
  const field = typeof value === "string" ? value.toUpperCase() : value;
  if (!FIELDS.includes(field as Field)) throw new InvalidInputError("field", value, `one of ${FIELDS.join(", ")}`);
  return field as Field;
}

export function isValidId(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

export function parseId(parameter: string, value: unknown): number {
  if (!isValidId(value)) throw new InvalidInputError(parameter, value, "an integer between 0 and 2^53-1");
  return value;
}

/** Epoch milliseconds from a timestamp in `unit`; NaN when the input is not a usable time. */
export function toEpochMillis(value: unknown, unit: TimestampUnit): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) return NaN;
  const seconds = unit === "s" || (unit === "auto" && value < 1e11);
  const millis = Math.round(seconds ? value * 1000 : value);
  return Number.isSafeInteger(millis) ? millis : NaN;
}
