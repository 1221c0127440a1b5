// The zod schemas of the REST API: the one source of its validation, its TypeScript types and its
// OpenAPI document. Path and query values arrive as text and are read the way Quick's gateway writes
// them (Java's toString(): `100`, `0.1`, `1.0E-5`, `ARTIST`); every bound names itself in the error.
import { z } from "zod";
import { MAX_REPORTED } from "../events.js";
import { InvalidInputError } from "../errors.js";
import { DEFAULT_LIMIT, PRESETS, presetValues, type PresetParams } from "../presets.js";
import { EDGE_WEIGHTS, FIELDS, PRESET_NAMES, RECOMMEND_METHODS, type PresetName, type RecommendParams } from "../types.js";
import { asciiLowerCase, asciiUpperCase, LIMITS, MAX_TIMESTAMP_MS } from "../validation.js";

/**
 * Bounds of one recommendation request over HTTP: the SDK's, tightened so that no single request
 * blocks the service for long (the event loop serves one walk at a time). The walk budget is 10x
 * the seed's defaults (1000 walkers x 100 half-steps), about 50 ms on the reference machine. The
 * exact walk reads at most hubCap edges of each node it expands: hubCap^2 for the user's items'
 * listeners, neighbours x hubCap for the co-listeners' items, so hubCap is held to the square root
 * of the walk budget and neighbours to at least 1 (0, every co-listener, reads up to hubCap^3).
 */
export const HTTP_LIMITS = {
  limit: LIMITS.limit,
  walks: Math.min(10_000, LIMITS.walks),
  walkLength: Math.min(1_000, LIMITS.walkLength),
  walkBudget: 1_000_000,
  neighbours: LIMITS.neighbours,
  hubCap: Math.min(1_000, LIMITS.hubCap),
} as const;

/** Numbers as Java prints a double (`0.1`, `1.0`, `1.0E-5`): decimals with an optional exponent; no sign
 * but minus, no hex, blanks, NaN or Infinity. */
const DECIMAL = /^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
/** Whole numbers as Java prints an int or long: digits only (every bound here is >= 0), so `+5`, `5.`, `1e3`
 * or `7.0` are refused. */
const INTEGER = /^\d+$/;

const parsedIf = (pattern: RegExp) => (value: unknown) => (typeof value === "string" && pattern.test(value) ? Number(value) : value);

/** Field names in any ASCII case, as the SDK reads them (asciiUpperCase folds ASCII letters only). */
const fieldCase = (value: unknown): unknown => (typeof value === "string" ? asciiUpperCase(value) : value);

/**
 * A parameter's default: applied here (a number), or applied by the SDK and only shown in the document
 * (`{ shown }`: a recommendation parameter's, which comes from the preset).
 */
type Fallback<T> = T | { shown: T };

/**
 * A whole number in [min, max] written as text; `allowed` is both the error and the documentation.
 * The default sits inside the pipe: there it reaches the JSON Schema, outside it would not.
 */
function integerParam(min: number, max: number, fallback?: Fallback<number>) {
  const allowed = `an integer from ${min} to ${max}`;
  const error = { error: allowed };
  const integer = z.int(error).min(min, error).max(max, error);
  if (typeof fallback === "object") return z.preprocess(parsedIf(INTEGER), integer.meta({ default: fallback.shown })).optional();
  return z.preprocess(parsedIf(INTEGER), fallback === undefined ? integer : integer.default(fallback));
}

/** A number in [min, max] as Java prints a double; its default is the SDK's, shown in the document. */
function numberParam(min: number, max: number, fallback: { shown: number }) {
  const error = { error: `a number from ${min} to ${max}` };
  return z.preprocess(parsedIf(DECIMAL), z.number(error).min(min, error).max(max, error).meta({ default: fallback.shown })).optional();
}

/**
 * One of `values` in any ASCII case (Quick's gateway sends a GraphQL enum by its name: `QUALITY`);
 * its default is the SDK's, shown in the document.
 */
function choiceParam<const T extends readonly [string, ...string[]]>(values: T, fallback: { shown: T[number] }) {
  const lowerCase = (value: unknown): unknown => (typeof value === "string" ? asciiLowerCase(value) : value);
  return z.preprocess(lowerCase, z.enum(values, { error: `one of ${values.join(", ")} (any case)` }).meta({ default: fallback.shown })).optional();
}

const idParam = (description: string) => {
  const error = { error: "an integer from 0 to 2^53-1" };
  return z.preprocess(parsedIf(INTEGER), z.int(error).min(0, error)).meta({ description: `${description}, an integer from 0 to 2^53-1` });
};

const fieldParam = z
  .preprocess(fieldCase, z.enum(FIELDS, { error: `one of ${FIELDS.join(", ")} (any case)` }))
  .meta({ description: `Item kind: ${FIELDS.join(", ")}, in any case` });

/** Query and path objects reject unknown keys, so that a misspelt parameter is not silently ignored. */
function parameters<Shape extends z.ZodRawShape>(shape: Shape) {
  const names = Object.keys(shape);
  return z.strictObject(shape, { error: names.length > 0 ? `a known parameter: ${names.join(", ")}` : "absent (this route takes no query parameters)" });
}

/** The query of a route that takes none. */
export const noQuery = parameters({});

export const userParams = parameters({ userId: idParam("Listener id") });
export const userFieldParams = parameters({ userId: idParam("Listener id"), field: fieldParam });
export const itemParams = parameters({ field: fieldParam, id: idParam("Item id") });

/** How a recommendation parameter defaults: "Default: the preset's (seed 1000, quality 1000)". */
const presetDefault = (parameter: keyof PresetParams) => `Default: the preset's (${presetValues(parameter)})`;

/**
 * A recommendation request's query. A parameter left out comes from the request's preset, else the
 * service's default preset: the SDK resolves them (ProfileStore.recommendParams), so the defaults here,
 * the default preset's, are only shown in the document.
 */
export function recommendationQuery(defaultPreset: PresetName) {
  const preset = PRESETS[defaultPreset];
  return parameters({
    limit: integerParam(1, HTTP_LIMITS.limit, { shown: DEFAULT_LIMIT })
      .meta({ description: `Most recommendations returned, from 1 to ${HTTP_LIMITS.limit}` }),
    walks: integerParam(1, HTTP_LIMITS.walks, { shown: preset.walks })
      .meta({
        description: `SALSA: random walkers started at the user, from 1 to ${HTTP_LIMITS.walks}; walks x walkLength is at most ${HTTP_LIMITS.walkBudget}. ${presetDefault("walks")}`,
      }),
    walkLength: integerParam(1, HTTP_LIMITS.walkLength, { shown: preset.walkLength })
      .meta({
        description: `SALSA: half-steps per walker (user to item, item to user), from 1 to ${HTTP_LIMITS.walkLength}; walks x walkLength is at most ${HTTP_LIMITS.walkBudget}. ${presetDefault("walkLength")}`,
      }),
    resetProbability: numberParam(0, 1, { shown: preset.resetProbability })
      .meta({
        description: `SALSA: chance that a walker on a user jumps back to the query user, from 0 to 1; Java forms such as 1.0E-5 are accepted. ${presetDefault("resetProbability")}`,
      }),
    seed: integerParam(0, 2 ** 32 - 1)
      .optional()
      .meta({ description: "Random seed, from 0 to 2^32-1: the same seed on the same data gives the same answer (default: a fresh seed per request)" }),
    popularityPenalty: numberParam(0, 1, { shown: preset.popularityPenalty })
      .meta({
        description: `Score = visits (SALSA) or walk weight (exact) / degree(item)^popularityPenalty, from 0 (the seed's scoring: visits alone) to 1; popular items weigh less. ${presetDefault("popularityPenalty")}`,
      }),
    preset: choiceParam(PRESET_NAMES, { shown: defaultPreset })
      .meta({
        description:
          "Named parameter set under the explicit parameters: seed (the seed's SALSA walks) or quality (the exact walk, tuned on Last.fm data). " +
          "Default: the service's default preset (serve --default-preset, seed unless set), whose values the other parameters show as their defaults",
      }),
    method: choiceParam(RECOMMEND_METHODS, { shown: preset.method })
      .meta({ description: `salsa (random walks) or exact (the exact three-step walk user, items, co-listeners, items). ${presetDefault("method")}` }),
    neighbours: integerParam(1, HTTP_LIMITS.neighbours, { shown: preset.neighbours })
      .meta({ description: `Exact walk: the most similar co-listeners kept, from 1 to ${HTTP_LIMITS.neighbours}. ${presetDefault("neighbours")}` }),
    itemExponent: numberParam(0, LIMITS.exponent, { shown: preset.itemExponent })
      .meta({ description: `Exact walk: an item passes its weight to its listeners divided by its degree^itemExponent, from 0 to ${LIMITS.exponent}. ${presetDefault("itemExponent")}` }),
    userExponent: numberParam(0, LIMITS.exponent, { shown: preset.userExponent })
      .meta({ description: `Exact walk: a co-listener's similarity is divided by its degree^userExponent, from 0 to ${LIMITS.exponent}. ${presetDefault("userExponent")}` }),
    hubCap: integerParam(1, HTTP_LIMITS.hubCap, { shown: preset.hubCap })
      .meta({ description: `Exact walk: edges read per node at most, from 1 to ${HTTP_LIMITS.hubCap}; beyond, that many are drawn at random. ${presetDefault("hubCap")}` }),
    edgeWeight: choiceParam(EDGE_WEIGHTS, { shown: preset.edgeWeight })
      .meta({ description: `Exact walk: an edge weighs 1 per distinct user-item pair (pair), 1 per play (play) or ln(1 + plays) per pair (log). ${presetDefault("edgeWeight")}` }),
    ridge: numberParam(0, LIMITS.ridge, { shown: preset.ridge })
      .meta({
        description:
          `Exact walk: 0 weighs the kept co-listeners by similarity; above 0, by the ridge regression of the user's items onto theirs with this ridge, from 0 to ${LIMITS.ridge}; ` +
          `then neighbours is at most ${LIMITS.ridgeNeighbours} and neighbours x hubCap at most ${LIMITS.ridgeEntries}. ${presetDefault("ridge")}`,
      }),
  });
}

/**
 * The SALSA walk budget, on the parameters a request actually runs with (its preset's where it gives
 * none); names the parameter the request gave, walks if both.
 */
export function checkWalkBudget(params: RecommendParams, given: { walks?: number; walkLength?: number }): void {
  if (params.method !== "salsa" || params.walks * params.walkLength <= HTTP_LIMITS.walkBudget) return;
  const budget = `(walks x walkLength <= ${HTTP_LIMITS.walkBudget})`;
  if (given.walks === undefined) {
    throw new InvalidInputError("walkLength", params.walkLength, `at most ${Math.floor(HTTP_LIMITS.walkBudget / params.walks)} with walks ${params.walks} ${budget}`);
  }
  throw new InvalidInputError("walks", params.walks, `at most ${Math.floor(HTTP_LIMITS.walkBudget / params.walkLength)} with walkLength ${params.walkLength} ${budget}`);
}

/** Chart length: up to the store's chart size, which is only known when the server is built. */
export function chartQuery(chartSize: number) {
  return parameters({
    k: integerParam(1, chartSize, chartSize)
      .meta({ description: `Chart entries returned, from 1 to the store's chart size ${chartSize}` }),
  });
}

const itemId = z.int().min(0).meta({ description: "Item id" });
const name = z.string().optional().meta({ description: "Display name, when known" });

export const recommendationsResponse = z
  .object({
    recommendations: z.array(
      z.object({ id: itemId, score: z.number().meta({ description: "Visits of the walkers (SALSA) or the walk's weight (exact), over degree^popularityPenalty" }), name }),
    ),
  })
  .meta({ description: "Best items first; empty for an unknown user, and possibly shorter than limit" });

export const chartResponse = z
  .object({ topK: z.array(z.object({ id: itemId, countPlays: z.int().min(1), name })) })
  .meta({ description: "The user's most played items: countPlays descending, then id ascending" });

const epochMillis = (description: string) => z.int().meta({ description: `${description}, epoch milliseconds` });

export const profileResponse = z
  .object({
    userId: z.int().min(0),
    totalListenCount: z.int().min(1),
    firstListenEvent: epochMillis("Earliest play"),
    lastListenEvent: epochMillis("Latest play"),
    artistCharts: chartResponse,
    albumCharts: chartResponse,
    trackCharts: chartResponse,
  })
  .meta({ description: "Metrics and charts of one listener, in the shape of the seed's UserProfile" });

export const itemResponse = z
  .object({ field: z.enum(FIELDS), id: itemId, name: z.string() })
  .meta({ description: "An item's display name" });

/** Documents an event; the SDK's validator checks it (src/events.ts), so these schemas are not run. */
const eventId = (what: string) => z.int().min(0).max(Number.MAX_SAFE_INTEGER).meta({ description: `${what} id, an integer from 0 to 2^53-1` });

export const listeningEvent = z.object({
  userId: eventId("Listener"),
  artistId: eventId("Artist"),
  albumId: eventId("Album"),
  trackId: eventId("Track"),
  timestamp: z
    .number()
    .min(0)
    .max(MAX_TIMESTAMP_MS)
    .meta({ description: "Epoch time of the play in milliseconds, up to the year 9999 (with the service's default --timestamp-unit auto, a value below 10^11 is read as seconds)" }),
});

export const eventsBody = z
  .array(listeningEvent)
  .meta({ description: "Listening events: a JSON array, or NDJSON (one event per line). Each event is checked on its own" });

export const ingestResponse = z
  .object({
    accepted: z.int().min(0),
    rejected: z.int().min(0),
    rejections: z
      .array(z.object({ index: z.int().min(0), field: z.string(), reason: z.string() }))
      .meta({ description: `The first ${MAX_REPORTED} rejected events: position in the body, the property at fault and why` }),
    rejectedBy: z.record(z.string(), z.int().min(1)).meta({ description: "Every rejected event counted by the property at fault" }),
  })
  .meta({ description: "How many events were applied, and which were rejected and why" });

export const healthResponse = z.object({ status: z.literal("ok") }).meta({ description: "The process is alive" });
export const readyResponse = z.object({ status: z.literal("ready") }).meta({ description: "Data is loaded" });
export const metricsResponse = z.string().meta({ description: "Prometheus text exposition format" });
