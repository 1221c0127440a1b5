// The one option table of the profile-store command: every option of serve, generate, produce, query and evaluate,
// with its flag, environment variable, default, range or choices and help. The commands read their
// options through readCommandOptions and write --help with commandHelp, so that they validate alike.
// To add an option: add an entry to the command's table below (a builder from option-parser.ts),
// then read its value in the command (src/cli/<command>.ts); --help, the checks and the list of
// known variables follow from the entry.
import { EVALUATE_DEFAULTS } from "../evaluate/evaluate.js";
import { PROTOCOLS } from "../evaluate/protocols.js";
import { RECOMMENDER_NAMES } from "../evaluate/recommenders.js";
import { HTTP_LIMITS } from "../http/schemas.js";
import { MAX_TIMEOUT_MS, PROTECTION_DEFAULTS } from "../http/server-options.js";
import { DEFAULT_BODY_LIMIT } from "../http/server.js";
import { MAX_USERS_OR_ARTISTS } from "../ingest/generator.js";
import { DEFAULT_INPUT_TOPICS } from "../kafka/event-consumer.js";
import { DEMO_DEFAULTS, LOG_LEVELS, SERVICE_DEFAULTS } from "../service/settings.js";
import { DEFAULT_PRESET, presetValues, type PresetParams } from "../presets.js";
import { SNAPSHOT_DEFAULTS, SNAPSHOT_FILE } from "../service/snapshots.js";
import { EDGE_WEIGHTS, PRESET_NAMES, RECOMMEND_METHODS, TIMESTAMP_UNITS } from "../types.js";
import { LIMITS } from "../validation.js";
import {
  brokers,
  choice,
  choiceList,
  decimal,
  flag,
  hostList,
  httpUrl,
  integer,
  optionsHelp,
  readOptions,
  text,
  topic,
  withoutEnv,
  type OptionTable,
  type OptionValues,
} from "./option-parser.js";

const MAX_MS = 2 ** 31 - 1;

/** The generator's shape of the data, shared by serve, generate and produce. */
const GENERATOR = {
  users: integer({ env: "PROFILE_STORE_USERS", value: "<n>", help: "generated listeners", default: DEMO_DEFAULTS.users, min: 1, max: MAX_USERS_OR_ARTISTS }),
  artists: integer({ env: "PROFILE_STORE_ARTISTS", value: "<n>", help: "generated artists", default: DEMO_DEFAULTS.artists, min: 1, max: MAX_USERS_OR_ARTISTS }),
  seed: integer({ env: "PROFILE_STORE_SEED", value: "<n>", help: "generator seed", default: DEMO_DEFAULTS.seed, min: 0, max: 2 ** 32 - 1 }),
};

const GENERATED_DATA = ["events", "live-rate", "users", "artists", "seed"] as const;
const DEMO = "Embedded demo (no --lfm or --kafka)";
const KAFKA = "Kafka (--kafka)";
const HTTP = "HTTP";
const GRAPHQL = "GraphQL (POST /graphql, subscriptions at /graphql-ws)";

export const SERVE_OPTIONS = {
  lfm: text("a directory", {
    env: "PROFILE_STORE_LFM",
    value: "<dir>",
    help: "load the LFM-1b files in <dir> instead of generated data",
    conflicts: { options: GENERATED_DATA, because: "--lfm loads files instead of generated data" },
    section: "Data source",
  }),
  kafka: brokers({
    env: "PROFILE_STORE_KAFKA",
    value: "<brokers>",
    help: "consume the Kafka topics at host:port,... instead of generated data",
    conflicts: { options: ["lfm", ...GENERATED_DATA], because: "--kafka takes its data from Kafka, instead of files or generated data" },
    section: "Data source",
  }),
  events: integer({ env: "PROFILE_STORE_EVENTS", value: "<n>", help: "generated events loaded at start", default: DEMO_DEFAULTS.events, min: 0, max: Number.MAX_SAFE_INTEGER, section: DEMO }),
  users: { ...GENERATOR.users, section: DEMO },
  artists: { ...GENERATOR.artists, section: DEMO },
  seed: { ...GENERATOR.seed, section: DEMO },
  "live-rate": integer({
    env: "PROFILE_STORE_LIVE_RATE",
    value: "<n>",
    help: "generated events per second once loaded, 0 for none",
    default: DEMO_DEFAULTS.liveRate,
    min: 0,
    max: 1_000_000,
    section: DEMO,
  }),
  "kafka-format": choice(["json", "avro", "auto"], {
    env: "PROFILE_STORE_KAFKA_FORMAT",
    value: "<format>",
    help: "input values: json, avro, or auto (Avro when the magic byte 0 leads); POST /events produces Avro unless json",
    default: "auto",
    needs: "kafka",
    section: KAFKA,
  }),
  "kafka-events-topic": topic({ env: "PROFILE_STORE_KAFKA_EVENTS_TOPIC", value: "<topic>", help: "topic of listening events", default: DEFAULT_INPUT_TOPICS.events, needs: "kafka", section: KAFKA }),
  "kafka-artists-topic": topic({ env: "PROFILE_STORE_KAFKA_ARTISTS_TOPIC", value: "<topic>", help: "topic of artist names", default: DEFAULT_INPUT_TOPICS.artists, needs: "kafka", section: KAFKA }),
  "kafka-albums-topic": topic({ env: "PROFILE_STORE_KAFKA_ALBUMS_TOPIC", value: "<topic>", help: "topic of album names", default: DEFAULT_INPUT_TOPICS.albums, needs: "kafka", section: KAFKA }),
  "kafka-tracks-topic": topic({ env: "PROFILE_STORE_KAFKA_TRACKS_TOPIC", value: "<topic>", help: "topic of track names", default: DEFAULT_INPUT_TOPICS.tracks, needs: "kafka", section: KAFKA }),
  "kafka-dead-letter": topic({
    env: "PROFILE_STORE_KAFKA_DEAD_LETTER",
    value: "<topic>",
    help: "copy bad input records (always counted and skipped) to <topic>",
    needs: "kafka",
    section: KAFKA,
  }),
  "kafka-produce-timeout": integer({
    env: "PROFILE_STORE_KAFKA_PRODUCE_TIMEOUT",
    value: "<ms>",
    help: "how long POST /events waits for the broker to acknowledge, else 503",
    default: SERVICE_DEFAULTS.produceTimeoutMs,
    min: 1,
    max: MAX_MS,
    needs: "kafka",
    section: KAFKA,
  }),
  "kafka-output": flag({
    env: "PROFILE_STORE_KAFKA_OUTPUT",
    help: "publish profiles to counts, firstlisten, lastlisten, topartists, topalbums, toptracks",
    needs: "kafka",
    section: KAFKA,
  }),
  "kafka-output-format": choice(["avro", "json"], {
    env: "PROFILE_STORE_KAFKA_OUTPUT_FORMAT",
    value: "<format>",
    help: "chart values: avro or json (counts and listens are longs)",
    default: "avro",
    needs: "kafka-output",
    section: KAFKA,
  }),
  "kafka-output-rate": integer({
    env: "PROFILE_STORE_KAFKA_OUTPUT_RATE",
    value: "<n>",
    help: "most users published per second, 6 records each",
    default: 1000,
    min: 1,
    max: 1_000_000,
    needs: "kafka-output",
    section: KAFKA,
  }),
  host: text("an address", { env: "PROFILE_STORE_HOST", value: "<host>", help: "address to listen on", default: SERVICE_DEFAULTS.host, section: HTTP }),
  port: integer({ env: "PROFILE_STORE_PORT", value: "<port>", help: "port to listen on, 0 for any free one", default: SERVICE_DEFAULTS.port, min: 0, max: 65535, section: HTTP }),
  "body-limit": integer({ env: "PROFILE_STORE_BODY_LIMIT", value: "<bytes>", help: "largest request body; larger ones get 413", default: DEFAULT_BODY_LIMIT, min: 1, max: MAX_MS, section: HTTP }),
  "api-key": text("a key", { env: "PROFILE_STORE_API_KEY", value: "<key>", help: "require X-API-Key on writes (POST /events, GraphQL mutations)", section: HTTP }),
  "api-key-reads": flag({ env: "PROFILE_STORE_API_KEY_READS", help: "also require it on reads", needs: "api-key", section: HTTP }),
  "allowed-hosts": hostList({
    env: "PROFILE_STORE_ALLOWED_HOSTS",
    value: "<list>",
    help: "Host header values accepted besides the bound address, comma-separated (DNS rebinding guard)",
    section: HTTP,
  }),
  "request-timeout": integer({
    env: "PROFILE_STORE_REQUEST_TIMEOUT",
    value: "<ms>",
    help: "longest time to receive a whole request",
    default: PROTECTION_DEFAULTS.requestTimeoutMs,
    min: 1,
    max: MAX_TIMEOUT_MS,
    section: HTTP,
  }),
  "headers-timeout": integer({
    env: "PROFILE_STORE_HEADERS_TIMEOUT",
    value: "<ms>",
    help: "longest time to receive a request's headers, at most --request-timeout",
    defaultText: `${PROTECTION_DEFAULTS.headersTimeoutMs}, or --request-timeout if shorter`,
    min: 1,
    max: MAX_TIMEOUT_MS,
    section: HTTP,
  }),
  "keep-alive-timeout": integer({
    env: "PROFILE_STORE_KEEP_ALIVE_TIMEOUT",
    value: "<ms>",
    help: "idle time before a kept-alive connection is closed",
    default: PROTECTION_DEFAULTS.keepAliveTimeoutMs,
    min: 1,
    max: MAX_TIMEOUT_MS,
    section: HTTP,
  }),
  "max-connections": integer({
    env: "PROFILE_STORE_MAX_CONNECTIONS",
    value: "<n>",
    help: "most connections open at once; more are refused",
    default: PROTECTION_DEFAULTS.maxConnections,
    min: 1,
    max: 1_000_000,
    section: HTTP,
  }),
  "drain-seconds": decimal({
    env: "PROFILE_STORE_DRAIN_SECONDS",
    value: "<s>",
    help: "on SIGTERM or SIGINT, answer requests this long (not ready) before closing; 0 for none",
    default: SERVICE_DEFAULTS.drainSeconds,
    min: 0,
    max: 3600,
    section: HTTP,
  }),
  "log-level": choice(LOG_LEVELS, {
    env: "PROFILE_STORE_LOG_LEVEL",
    value: "<level>",
    help: "fatal, error, warn, info, debug, trace or silent",
    default: SERVICE_DEFAULTS.logLevel,
    section: HTTP,
  }),
  "graphql-schema": text("a file", {
    env: "PROFILE_STORE_GRAPHQL_SCHEMA",
    value: "<file>",
    help: "serve this GraphQL schema (with Quick's @topic and @rest directives) instead of the seed's",
    defaultText: "the seed's, graphql/schema.gql",
    section: GRAPHQL,
  }),
  "graphql-rest-base": httpUrl({
    env: "PROFILE_STORE_GRAPHQL_REST_BASE",
    value: "<url>",
    help: "where @rest's http://recommender points (another replica, Quick's recommender)",
    defaultText: "this service itself",
    section: GRAPHQL,
  }),
  "graphql-rest-timeout": integer({
    env: "PROFILE_STORE_GRAPHQL_REST_TIMEOUT",
    value: "<ms>",
    help: "longest wait for one @rest call, then the field is null with an error",
    default: SERVICE_DEFAULTS.restTimeoutMs,
    min: 1,
    max: MAX_MS,
    section: GRAPHQL,
  }),
  "state-dir": text("a directory", {
    env: "PROFILE_STORE_STATE_DIR",
    value: "<dir>",
    help: `keep the state in <dir>/${SNAPSHOT_FILE}: restored at start instead of loading the source (Kafka: consumed on from its offsets), written while serving and on SIGTERM or SIGINT`,
    section: "Snapshots",
  }),
  "snapshot-interval": decimal({
    env: "PROFILE_STORE_SNAPSHOT_INTERVAL",
    value: "<s>",
    help: "write a snapshot this often, or after --snapshot-events events if sooner",
    default: SNAPSHOT_DEFAULTS.intervalSeconds,
    min: 0.1,
    max: 86_400,
    needs: "state-dir",
    section: "Snapshots",
  }),
  "snapshot-events": integer({
    env: "PROFILE_STORE_SNAPSHOT_EVENTS",
    value: "<n>",
    help: "write a snapshot after this many events (checked every second), or after --snapshot-interval if sooner",
    default: SNAPSHOT_DEFAULTS.events,
    min: 1,
    max: Number.MAX_SAFE_INTEGER,
    needs: "state-dir",
    section: "Snapshots",
  }),
  "walker-threads": integer({
    env: "PROFILE_STORE_WALKER_THREADS",
    value: "<n>",
    help: "threads that walk recommendations beside the HTTP thread, 0 to walk on it",
    default: SERVICE_DEFAULTS.walkerThreads,
    defaultText: `one less than the cores, at least 1: here ${SERVICE_DEFAULTS.walkerThreads}`,
    min: 0,
    max: LIMITS.walkerThreads,
    section: "Engine",
  }),
  "default-preset": choice(PRESET_NAMES, {
    env: "PROFILE_STORE_DEFAULT_PRESET",
    value: "<preset>",
    help: "recommendation parameters of requests that name no preset: seed (the seed's SALSA defaults) or quality (the exact walk)",
    default: DEFAULT_PRESET,
    section: "Engine",
  }),
  "timestamp-unit": choice(TIMESTAMP_UNITS, {
    env: "PROFILE_STORE_TIMESTAMP_UNIT",
    value: "<unit>",
    help: "unit of POST /events and Kafka JSON timestamps: ms, s, or auto (below 10^11 is seconds)",
    default: SERVICE_DEFAULTS.timestampUnit,
    section: "Engine",
  }),
} satisfies OptionTable;

export const GENERATE_OPTIONS = {
  out: text("a directory", { env: "PROFILE_STORE_OUT", value: "<dir>", help: "directory to write into, created if missing", required: true }),
  events: integer({ env: "PROFILE_STORE_EVENTS", value: "<n>", help: "listening events to write", default: DEMO_DEFAULTS.events, min: 1, max: Number.MAX_SAFE_INTEGER }),
  ...GENERATOR,
} satisfies OptionTable;

// produce reads no PROFILE_STORE_* variables (only KAFKA_BROKERS), as before the table.
const GENERATED = "Generated data (--generate)";
export const PRODUCE_OPTIONS = {
  dir: text("a directory", {
    value: "<dir>",
    help: "an LFM-1b directory (LFM-1b_LEs*.txt, LFM-1b_artists*.txt, ...)",
    conflicts: { options: ["generate", "users", "artists", "seed"], because: "--dir sends files instead of generated data" },
    section: "Source (one of)",
  }),
  generate: integer({ value: "<n>", help: 'n generated events (see "profile-store generate")', min: 1, max: Number.MAX_SAFE_INTEGER, section: "Source (one of)" }),
  users: { ...withoutEnv(GENERATOR.users), section: GENERATED },
  artists: { ...withoutEnv(GENERATOR.artists), section: GENERATED },
  seed: { ...withoutEnv(GENERATOR.seed), section: GENERATED },
  brokers: brokers({ env: "KAFKA_BROKERS", value: "<list>", help: "host:port,... of the brokers", default: ["127.0.0.1:9092"] }),
  format: choice(["avro", "json"], { value: "<format>", help: "avro or json values", default: "avro" }),
  topic: topic({ value: "<topic>", help: "topic of listening events", default: DEFAULT_INPUT_TOPICS.events }),
  "artists-topic": topic({ value: "<topic>", help: "topic of artist names", default: DEFAULT_INPUT_TOPICS.artists }),
  "albums-topic": topic({ value: "<topic>", help: "topic of album names", default: DEFAULT_INPUT_TOPICS.albums }),
  "tracks-topic": topic({ value: "<topic>", help: "topic of track names", default: DEFAULT_INPUT_TOPICS.tracks }),
  partitions: integer({ value: "<n>", help: "partitions of the topics it creates", default: 1, min: 1, max: 10_000 }),
  delay: decimal({ value: "<seconds>", help: "pause after each event; 0 sends batches as fast as possible", default: 0, min: 0, max: 3600 }),
  realtime: flag({ help: "timestamp each event with the time it is sent" }),
  repeat: integer({ value: "<n>", help: "send the data set n times", default: 1, min: 1, max: Number.MAX_SAFE_INTEGER }),
  dropout: decimal({ value: "<ratio>", help: "drop this fraction of events at random", default: 0, min: 0, max: 1 }),
} satisfies OptionTable;

const ID = { min: 0, max: Number.MAX_SAFE_INTEGER } as const;
/** What a recommendation option defaults to: "the preset's: seed 1000, quality 1000". */
const presetDefault = (parameter: keyof PresetParams) => `the preset's: ${presetValues(parameter)}`;
const RECOMMEND = "query recommend";
const SEND = "query send";
export const QUERY_OPTIONS = {
  url: httpUrl({ env: "PROFILE_STORE_URL", value: "<url>", help: "the service, or a Quick gateway", default: `http://${SERVICE_DEFAULTS.host}:${SERVICE_DEFAULTS.port}` }),
  "api-key": { ...SERVE_OPTIONS["api-key"], help: "sent as X-API-Key", section: undefined },
  field: choice(["ARTIST", "ALBUM", "TRACK"], { value: "<field>", help: "what to recommend", default: "ARTIST", section: RECOMMEND }),
  limit: integer({ value: "<n>", help: "most recommendations", min: 1, max: LIMITS.limit, section: RECOMMEND }),
  walks: integer({ value: "<n>", help: "SALSA: random walkers", defaultText: presetDefault("walks"), min: 1, max: HTTP_LIMITS.walks, section: RECOMMEND }),
  "walk-length": integer({ value: "<n>", help: "SALSA: half-steps per walker", defaultText: presetDefault("walkLength"), min: 1, max: HTTP_LIMITS.walkLength, section: RECOMMEND }),
  "reset-probability": decimal({
    value: "<p>",
    help: "SALSA: chance a walker jumps back to the user",
    defaultText: presetDefault("resetProbability"),
    min: 0,
    max: 1,
    section: RECOMMEND,
  }),
  seed: integer({ value: "<n>", help: "random seed: the same answer every time (profile-store only)", min: 0, max: 2 ** 32 - 1, section: RECOMMEND }),
  // The options below are profile-store's (a Quick gateway serving the seed's schema lacks them); the
  // exact walk's bounds are the service's.
  "popularity-penalty": decimal({ value: "<p>", help: "score / item degree^p, 0 to 1", defaultText: presetDefault("popularityPenalty"), min: 0, max: 1, section: RECOMMEND }),
  preset: choice(PRESET_NAMES, { value: "<preset>", help: "seed or quality; the options above and below override it", defaultText: "the service's", section: RECOMMEND }),
  method: choice(RECOMMEND_METHODS, { value: "<method>", help: "salsa (random walks) or exact (the exact walk)", defaultText: presetDefault("method"), section: RECOMMEND }),
  neighbours: integer({
    value: "<n>",
    help: "exact walk: most similar co-listeners kept",
    defaultText: presetDefault("neighbours"),
    min: 1,
    max: HTTP_LIMITS.neighbours,
    section: RECOMMEND,
  }),
  "item-exponent": decimal({ value: "<e>", help: "exact walk: an item's weight / its degree^e", defaultText: presetDefault("itemExponent"), min: 0, max: LIMITS.exponent, section: RECOMMEND }),
  "user-exponent": decimal({
    value: "<e>",
    help: "exact walk: a co-listener's similarity / its degree^e",
    defaultText: presetDefault("userExponent"),
    min: 0,
    max: LIMITS.exponent,
    section: RECOMMEND,
  }),
  "hub-cap": integer({ value: "<n>", help: "exact walk: edges read per node at most", defaultText: presetDefault("hubCap"), min: 1, max: HTTP_LIMITS.hubCap, section: RECOMMEND }),
  "edge-weight": choice(EDGE_WEIGHTS, { value: "<weight>", help: "exact walk: pair (1 per user-item pair), play (1 per play) or log (ln(1 + plays) per pair)", defaultText: presetDefault("edgeWeight"), section: RECOMMEND }),
  ridge: decimal({
    value: "<r>",
    help: "exact walk: 0 weighs co-listeners by similarity; above 0, by a ridge regression with this ridge",
    defaultText: presetDefault("ridge"),
    min: 0,
    max: LIMITS.ridge,
    section: RECOMMEND,
  }),
  user: integer({ value: "<id>", help: "listener", ...ID, section: SEND }),
  artist: integer({ value: "<id>", help: "artist", ...ID, section: SEND }),
  album: integer({ value: "<id>", help: "album", ...ID, section: SEND }),
  track: integer({ value: "<id>", help: "track", ...ID, section: SEND }),
  timestamp: integer({ value: "<ms>", help: "epoch ms of the play", defaultText: "now", ...ID, section: SEND }),
  order: choice(["RECENT", "MOST_ACTIVE"], { value: "<order>", help: "by latest play or by play count", default: "RECENT", section: "query listeners" }),
  count: integer({ value: "<n>", help: "list this many (listeners), or stop after this many events (watch)", min: 1, max: 1_000_000 }),
} satisfies OptionTable;

// evaluate reads no environment variables: a run is named in full by its command line.
const EVALUATE_DATA = "Data (one of)";
export const EVALUATE_OPTIONS = {
  hetrec: text("a file", {
    value: "<file>",
    help: "a user-item-playcount file in hetrec2011-lastfm-2k's user_artists.dat layout (with its header)",
    conflicts: { options: ["lfm"], because: "one data set at a time" },
    section: EVALUATE_DATA,
  }),
  lfm: text("a directory", { value: "<dir>", help: "an LFM-1b directory (its LFM-1b_LEs*.txt events, on artists)", section: EVALUATE_DATA }),
  protocol: choice(PROTOCOLS, {
    value: "<protocol>",
    help: "leave-one-out (one random item of each user with 5 or more) or temporal (each user's latest 10% of events; --lfm only)",
    default: EVALUATE_DEFAULTS.protocol,
  }),
  k: integer({ value: "<n>", help: "length of each ranking the metrics look at", default: EVALUATE_DEFAULTS.k, min: 1, max: LIMITS.limit }),
  seed: integer({ value: "<n>", help: "seed of the held-out items, the user sample and the walks", default: EVALUATE_DEFAULTS.seed, min: 0, max: 2 ** 32 - 1 }),
  recommenders: choiceList(RECOMMENDER_NAMES, { value: "<list>", help: `comma-separated, of ${RECOMMENDER_NAMES.join(", ")}`, default: [...EVALUATE_DEFAULTS.recommenders] }),
  users: integer({ value: "<n>", help: "evaluate at most n test users, drawn with the seed", defaultText: "all", min: 1, max: Number.MAX_SAFE_INTEGER }),
  out: text("a directory", { value: "<dir>", help: "write results.md and hr-vs-latency.svg into <dir>, created if missing" }),
} satisfies OptionTable;

export type ServeOptions = OptionValues<typeof SERVE_OPTIONS>;
export type QueryOptions = OptionValues<typeof QUERY_OPTIONS>;
export type EvaluateCliOptions = OptionValues<typeof EVALUATE_OPTIONS>;

const TABLES = { serve: SERVE_OPTIONS, generate: GENERATE_OPTIONS, produce: PRODUCE_OPTIONS, query: QUERY_OPTIONS, evaluate: EVALUATE_OPTIONS };
type Command = keyof typeof TABLES;

/** Every PROFILE_STORE_* variable some command reads: any other is a typo. */
const KNOWN_VARIABLES: ReadonlySet<string> = new Set(
  Object.values(TABLES).flatMap((table) => Object.values(table).flatMap((option) => ("env" in option && option.env ? [option.env] : []))),
);

export function readCommandOptions<C extends Command>(command: C, argv: string[], env: NodeJS.ProcessEnv): OptionValues<(typeof TABLES)[C]> | "help" {
  return readOptions(TABLES[command], argv, env, KNOWN_VARIABLES);
}

/** A command's --help: its usage and description, then the options generated from the table. */
export function commandHelp(command: Command, usage: string, description: string): string {
  const readsVariables = Object.values(TABLES[command]).some((option) => "env" in option && option.env);
  const precedence = readsVariables ? "\nCommand-line options override environment variables.\n" : "";
  return `Usage: profile-store ${command} ${usage}\n\n${description.trim()}\n\n${optionsHelp(TABLES[command])}${precedence}`;
}
