// Validation at the edge of the SDK: zod for options and request parameters, a hand-written column
// check for events (zod per event would cost more than ingesting it).
import { availableParallelism } from "node:os";
import { z } from "zod";
import { MAX_CHART_SIZE, MAX_HUB_CAP, MAX_NEIGHBOURS, MAX_RIDGE_ENTRIES, MAX_RIDGE_NEIGHBOURS, MAX_WALKS, SEGMENTS } from "../assembly/constants.js";
import { InvalidInputError } from "./errors.js";
import { DEFAULT_PRESET } from "./presets.js";
import { EDGE_WEIGHTS, FIELDS, LISTENER_ORDERS, PRESET_NAMES, RECOMMEND_METHODS, TIMESTAMP_UNITS, type Field, type RecommendParams, type TimestampUnit } from "./types.js";

export const LIMITS = {
  limit: 1000,
  walks: MAX_WALKS,
  walkLength: 10000,
  neighbours: MAX_NEIGHBOURS,
  hubCap: MAX_HUB_CAP,
  exponent: 2,
  ridge: 100000,
  ridgeNeighbours: MAX_RIDGE_NEIGHBOURS,
  ridgeEntries: MAX_RIDGE_ENTRIES,
  chartSize: MAX_CHART_SIZE,
  maxEdgesPerGraph: 2 ** 32 - 1,
  walkerThreads: 64,
  ingestThreads: 2,
  listeners: 100,
  searchResults: 50,
  searchText: { min: 2, max: 100 },
} as const;


/** zod schemas whose every issue reads as what is allowed, so errors can say "x must be <allowed>, got v". */
function allowing<T extends z.ZodType>(allowed: string, make: (error: { error: string }) => T): T {
  return make({ error: allowed });
}
const integer = (min: number, max: number) =>
  allowing(`an integer between ${min} and ${max}`, (e) => z.number(e).int(e).min(min, e).max(max, e));
const fraction = () => allowing("a number between 0 and 1", (e) => z.number(e).min(0, e).max(1, e));
const exponent = () => allowing(`a number between 0 and ${LIMITS.exponent}`, (e) => z.number(e).min(0, e).max(LIMITS.exponent, e));
const oneOf = <const T extends readonly [string, ...string[]]>(values: T) => z.enum(values, { error: `one of ${values.join(", ")}` });

/** Option objects refuse keys they do not know: a misspelt `walkLenght` must not silently walk 100 half-steps. */
const optionsObject = <Shape extends z.ZodRawShape>(shape: Shape) =>
  z.strictObject(shape, { error: `a known option: ${Object.keys(shape).join(", ")}` });

export const storeOptionsSchema = optionsObject({
  engine: oneOf(["wasm", "reference"]).default("wasm"),
  chartSize: integer(1, LIMITS.chartSize).default(10),
  maxEdgesPerGraph: z
    .union([z.literal(0), integer(SEGMENTS, LIMITS.maxEdgesPerGraph)], {
      error: `0 (unbounded) or an integer between ${SEGMENTS} and ${LIMITS.maxEdgesPerGraph}`,
    })
    .default(0),
  timestampUnit: oneOf(TIMESTAMP_UNITS).default("ms"),
  walkerThreads: integer(0, LIMITS.walkerThreads).default(0),
  /** Default: 2 with the wasm engine on a machine of more than one core. */
  ingestThreads: integer(1, LIMITS.ingestThreads).optional(),
  /** The preset of requests that name none. */
  defaultPreset: oneOf(PRESET_NAMES).default(DEFAULT_PRESET),
})
  .refine((options) => options.engine === "wasm" || options.walkerThreads === 0, {
    path: ["walkerThreads"],
    error: "0 with the reference engine (walker threads run the wasm kernels)",
  })
  .refine((options) => options.engine === "wasm" || (options.ingestThreads ?? 1) === 1, {
    path: ["ingestThreads"],
    error: "1 with the reference engine (the ingest helper runs the wasm kernels)",
  })
  .transform((options) => ({
    ...options,
    ingestThreads: options.ingestThreads ?? (options.engine === "wasm" && availableParallelism() > 1 ? 2 : 1),
  }));
export type ProfileStoreOptions = z.input<typeof storeOptionsSchema>;
export type ResolvedStoreOptions = z.output<typeof storeOptionsSchema>;

/** A request's parameters; what it leaves out comes from its preset (see src/presets.ts). */
export const recommendParamsSchema = optionsObject({
  preset: oneOf(PRESET_NAMES).optional(),
  method: oneOf(RECOMMEND_METHODS).optional(),
  limit: integer(1, LIMITS.limit).optional(),
  walks: integer(1, LIMITS.walks).optional(),
  walkLength: integer(1, LIMITS.walkLength).optional(),
  resetProbability: fraction().optional(),
  seed: integer(0, 2 ** 32 - 1).optional(),
  popularityPenalty: fraction().optional(),
  neighbours: integer(0, LIMITS.neighbours).optional(),
  itemExponent: exponent().optional(),
  userExponent: exponent().optional(),
  hubCap: integer(1, LIMITS.hubCap).optional(),
  edgeWeight: oneOf(EDGE_WEIGHTS).optional(),
  ridge: allowing(`a number between 0 and ${LIMITS.ridge}`, (e) => z.number(e).min(0, e).max(LIMITS.ridge, e)).optional(),
});
export type RecommendOptions = z.input<typeof recommendParamsSchema>;

/**
 * The exact walk with a ridge solves a system of one unknown per kept co-listener: on the parameters a
 * request runs with (its preset's where it gives none), neighbours from 1 to LIMITS.ridgeNeighbours
 * and neighbours x hubCap at most LIMITS.ridgeEntries.
 */
export function checkRidgeBounds(params: RecommendParams, given: { neighbours?: number; hubCap?: number; ridge?: number }): void {
  if (params.method !== "exact" || params.ridge === 0) return;
  const withRidge = `with ridge ${params.ridge} (ridge 0: no such bound)`;
  if (params.neighbours < 1 || params.neighbours > LIMITS.ridgeNeighbours) {
    throw new InvalidInputError("neighbours", params.neighbours, `an integer between 1 and ${LIMITS.ridgeNeighbours} ${withRidge}`);
  }
  if (params.neighbours * params.hubCap <= LIMITS.ridgeEntries) return;
  const budget = `${withRidge}: neighbours x hubCap <= ${LIMITS.ridgeEntries}`;
  if (given.neighbours !== undefined || given.hubCap === undefined) {
    throw new InvalidInputError("neighbours", params.neighbours, `at most ${Math.floor(LIMITS.ridgeEntries / params.hubCap)} with hubCap ${params.hubCap} ${budget}`);
  }
  throw new InvalidInputError("hubCap", params.hubCap, `at most ${Math.floor(LIMITS.ridgeEntries / params.neighbours)} with neighbours ${params.neighbours} ${budget}`);
}

export const listenersOptionsSchema = optionsObject({
  limit: integer(1, LIMITS.listeners).default(20),
  order: oneOf(LISTENER_ORDERS).default("RECENT"),
});
export type ListenersOptions = z.input<typeof listenersOptionsSchema>;

export const searchNamesSchema = z.object({
  text: allowing(`a string of ${LIMITS.searchText.min} to ${LIMITS.searchText.max} characters`, (e) =>
    z.string(e).min(LIMITS.searchText.min, e).max(LIMITS.searchText.max, e),
  ),
  limit: integer(1, LIMITS.searchResults).default(10),
});

export const ingestOptionsSchema = optionsObject({
  /** Unit of the events' timestamps; by default the store's `timestampUnit`. */
  timestampUnit: oneOf(TIMESTAMP_UNITS).optional(),
});
export type IngestOptions = z.input<typeof ingestOptionsSchema>;

/** What the project's own sources (LFM-1b reader, generator, Kafka decoder) pass: they hand over epoch ms. */
export const EPOCH_MS = { timestampUnit: "ms" } as const satisfies IngestOptions;

/** Parses with a zod schema, turning the first issue into an InvalidInputError that names the value. */
export function parseOrThrow<T extends z.ZodType>(schema: T, input: unknown, what: string): z.output<T> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  if (issue.code === "unrecognized_keys") {
    const key = [...issue.path, issue.keys[0]!].join(".");
    throw new InvalidInputError(key, (input as Record<string, unknown>)[issue.keys[0]!], issue.message);
  }
  const path = issue.path.join(".");
  const value = issue.path.reduce<unknown>((v, key) => (v as Record<PropertyKey, unknown> | undefined)?.[key], input);
  throw new InvalidInputError(path || what, value, issue.message);
}

/** Upper case of ASCII letters only: `toUpperCase` would also fold "ſ" (U+017F) to "S" and "ı" to "I". */
export function asciiUpperCase(text: string): string {
  return text.replace(/[a-z]+/g, (letters) => letters.toUpperCase());
}

/** Lower case of ASCII letters only, for the same reason. */
export function asciiLowerCase(text: string): string {
  return text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

/** ARTIST, ALBUM or TRACK in any ASCII case. */
export function parseField(value: unknown): Field {
  const field = typeof value === "string" ? asciiUpperCase(value) : value;
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

/**
 * The latest timestamp accepted: the end of the year 9999, epoch ms. A bound far beyond any real play
 * catches timestamps in the wrong unit (microseconds of today read as ms land in the year 56,000).
 */
export const MAX_TIMESTAMP_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** Below this, `auto` reads a timestamp as seconds (10^11 s is the year 5138; 10^11 ms is 1973). */
const AUTO_SECONDS_BELOW = 1e11;

/** What a timestamp in `unit` must be, for error messages. */
export function timestampAllowed(unit: TimestampUnit): string {
  const as = { ms: "epoch milliseconds", s: "epoch seconds", auto: "epoch seconds (below 10^11) or milliseconds" }[unit];
  return `${as} from 1970 to the year 9999`;
}

/** Epoch milliseconds from a timestamp in `unit`; NaN when the input is not a usable time. */
export function toEpochMillis(value: unknown, unit: TimestampUnit): number {
  if (typeof value !== "number" || !(value >= 0)) return NaN;
  const seconds = unit === "s" || (unit === "auto" && value < AUTO_SECONDS_BELOW);
  const millis = Math.round(seconds ? value * 1000 : value);
  return millis <= MAX_TIMESTAMP_MS ? millis : NaN;
}
