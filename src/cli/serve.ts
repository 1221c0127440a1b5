import { once } from "node:events";
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { loadGeneratedData } from "../demo/generated-data.js";
import { startLiveStream, type LiveStream } from "../demo/live-stream.js";
import type { App, Readiness } from "../http/context.js";
import { ServiceMetrics } from "../http/metrics.js";
import { DEFAULT_BODY_LIMIT, buildServer } from "../http/server.js";
import { GENERATOR_DEFAULTS, MAX_USERS_OR_ARTISTS, createGenerator } from "../ingest/generator.js";
import { loadLfm1b, type Lfm1bSink } from "../ingest/lfm1b.js";
import type { Logger } from "../kafka/client.js";
import { DEFAULT_INPUT_TOPICS, type InputTopics } from "../kafka/event-consumer.js";
import { startKafkaPipeline, type KafkaPipeline, type KafkaPipelineOptions } from "../kafka/pipeline.js";
import { ProfileStore } from "../profile-store.js";
import { LIMITS } from "../validation.js";
import type { TimestampUnit } from "../types.js";
import { createProgress, type Progress } from "./progress.js";
import { UsageError, fromEnv, runCommand } from "./usage.js";

/**
 * Every option with its environment variable (flags win over env), its default and what it allows.
 * An empty `value` marks a flag that takes none (its variable is "true" or "false").
 */
const OPTIONS = {
  host: { env: "PROFILE_STORE_HOST", value: "<host>", help: "address to listen on", default: "127.0.0.1" },
  port: { env: "PROFILE_STORE_PORT", value: "<port>", help: "port to listen on, 0 for any free one", default: 8080, range: [0, 65535] },
  lfm: { env: "PROFILE_STORE_LFM", value: "<dir>", help: "load the LFM-1b files in <dir> instead of generated data" },
  kafka: { env: "PROFILE_STORE_KAFKA", value: "<brokers>", help: "consume the Kafka topics at host:port,... instead of generated data" },
  "kafka-format": {
    env: "PROFILE_STORE_KAFKA_FORMAT",
    value: "<format>",
    help: "input values: json, avro, or auto (Avro when the magic byte 0 leads)",
    default: "auto",
    choices: ["json", "avro", "auto"],
  },
  "kafka-events-topic": { env: "PROFILE_STORE_KAFKA_EVENTS_TOPIC", value: "<topic>", help: "topic of listening events", default: DEFAULT_INPUT_TOPICS.events },
  "kafka-artists-topic": { env: "PROFILE_STORE_KAFKA_ARTISTS_TOPIC", value: "<topic>", help: "topic of artist names", default: DEFAULT_INPUT_TOPICS.artists },
  "kafka-albums-topic": { env: "PROFILE_STORE_KAFKA_ALBUMS_TOPIC", value: "<topic>", help: "topic of album names", default: DEFAULT_INPUT_TOPICS.albums },
  "kafka-tracks-topic": { env: "PROFILE_STORE_KAFKA_TRACKS_TOPIC", value: "<topic>", help: "topic of track names", default: DEFAULT_INPUT_TOPICS.tracks },
  "kafka-dead-letter": { env: "PROFILE_STORE_KAFKA_DEAD_LETTER", value: "<topic>", help: "copy bad input records (always counted and skipped) to <topic>" },
  "kafka-output": {
    env: "PROFILE_STORE_KAFKA_OUTPUT",
    value: "",
    help: "publish profiles to counts, firstlisten, lastlisten, topartists, topalbums, toptracks",
    default: false,
  },
  "kafka-output-format": {
    env: "PROFILE_STORE_KAFKA_OUTPUT_FORMAT",
    value: "<format>",
    help: "chart values: avro or json (counts and listens are longs)",
    default: "avro",
    choices: ["avro", "json"],
  },
  "kafka-output-rate": {
    env: "PROFILE_STORE_KAFKA_OUTPUT_RATE",
    value: "<n>",
    help: "most users published per second, 6 records each",
    default: 1000,
    range: [1, 1_000_000],
  },
  events: {
    env: "PROFILE_STORE_EVENTS",
    value: "<n>",
    help: "generated events loaded at start",
    default: 1_000_000,
    range: [0, Number.MAX_SAFE_INTEGER],
  },
  users: {
    env: "PROFILE_STORE_USERS",
    value: "<n>",
    help: "generated listeners",
    default: GENERATOR_DEFAULTS.users,
    range: [1, MAX_USERS_OR_ARTISTS],
  },
  artists: {
    env: "PROFILE_STORE_ARTISTS",
    value: "<n>",
    help: "generated artists",
    default: GENERATOR_DEFAULTS.artists,
    range: [1, MAX_USERS_OR_ARTISTS],
  },
  seed: { env: "PROFILE_STORE_SEED", value: "<n>", help: "generator seed", default: GENERATOR_DEFAULTS.seed, range: [0, 2 ** 32 - 1] },
  "live-rate": {
    env: "PROFILE_STORE_LIVE_RATE",
    value: "<n>",
    help: "generated events per second once loaded, 0 for none",
    default: 100,
    range: [0, 1_000_000],
  },
  "walker-threads": {
    env: "PROFILE_STORE_WALKER_THREADS",
    value: "<n>",
    help: "threads that walk recommendations beside the HTTP thread, 0 to walk on it; by default one less than the cores, at least 1",
    default: Math.max(1, availableParallelism() - 1),
    range: [0, LIMITS.walkerThreads],
  },
  "timestamp-unit": {
    env: "PROFILE_STORE_TIMESTAMP_UNIT",
    value: "<unit>",
    help: "unit of POST /events and Kafka JSON timestamps: ms, s, or auto (below 10^11 is seconds)",
    default: "auto",
    choices: ["ms", "s", "auto"],
  },
  "body-limit": {
    env: "PROFILE_STORE_BODY_LIMIT",
    value: "<bytes>",
    help: "largest request body; larger ones get 413",
    default: DEFAULT_BODY_LIMIT,
    range: [1, 2 ** 31 - 1],
  },
  "log-level": {
    env: "PROFILE_STORE_LOG_LEVEL",
    value: "<level>",
    help: "fatal, error, warn, info, debug, trace or silent",
    default: "info",
    choices: ["fatal", "error", "warn", "info", "debug", "trace", "silent"],
  },
} as const;

type Options = typeof OPTIONS;
type OptionName = keyof Options;
type IntegerOption = { [K in OptionName]: Options[K] extends { range: unknown } ? K : never }[OptionName];
type ChoiceOption = { [K in OptionName]: Options[K] extends { choices: unknown } ? K : never }[OptionName];
type TopicOption = Extract<OptionName, `kafka-${string}-topic` | "kafka-dead-letter">;

/** What `startKafkaPipeline` is given from the options. */
type KafkaSettings = Pick<KafkaPipelineOptions, "brokers" | "format" | "deadLetterTopic" | "output"> & { topics: InputTopics };

interface ServeSettings {
  host: string;
  port: number;
  lfm: string | undefined;
  kafka: KafkaSettings | undefined;
  events: number;
  users: number;
  artists: number;
  seed: number;
  liveRate: number;
  walkerThreads: number;
  timestampUnit: TimestampUnit;
  bodyLimit: number;
  logLevel: Options["log-level"]["choices"][number];
}

/** One line of the options list, the descriptions aligned after the longest flag. */
function usageLine(flag: string, description: string): string {
  return `  ${flag.padEnd(32)}${description}`;
}

const HELP = `Usage: profile-store serve [options]

Serves listener profiles, charts and SALSA recommendations over HTTP (REST API,
OpenAPI browsable at /docs, Prometheus metrics at /metrics).

With no --lfm or --kafka it runs the embedded demo: a generated catalogue and
history (--events, --users, --artists, --seed), then a live stream of generated
plays (--live-rate) so that profiles and recommendations keep changing. No Kafka
needed. With --lfm <dir> it loads LFM-1b_LEs*.txt and the artists, albums and
tracks files from <dir>, showing progress. With --kafka <brokers> it reads every
partition of the events and names topics from the beginning (each replica holds
the whole graph), showing catch-up progress, then applies new records as they
come. /readyz answers 503 until the data is loaded or caught up, and while Kafka
does not answer.

Options:
${Object.entries(OPTIONS)
  .map(([name, o]) => {
    const fallback = "default" in o ? `default ${o.default}; ` : "";
    return usageLine(`--${name} ${o.value}`.trimEnd(), `${o.help} (${fallback}env ${o.env})`);
  })
  .join("\n")}
${usageLine("-h, --help", "show this help")}

Command-line options override environment variables. SIGINT or SIGTERM stops
accepting connections, finishes requests in flight and exits with 0.
`;

/** `profile-store serve`; resolves to the exit code once the service has stopped (0 after a signal). */
export async function runServe(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return runCommand("serve", HELP, () => readSettings(argv, env), serve);
}

function readSettings(argv: string[], env: NodeJS.ProcessEnv): ServeSettings | "help" {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...Object.fromEntries(Object.entries(OPTIONS).map(([name, o]) => [name, { type: o.value ? ("string" as const) : ("boolean" as const) }])),
      help: { type: "boolean", short: "h" },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return "help";
  const flags = values as Flags;
  const reader = optionReader(flags, env);
  const { read, integer, choice } = reader;
  const settings: ServeSettings = {
    host: read("host", "an address", (text) => text) ?? OPTIONS.host.default,
    port: integer("port"),
    lfm: read("lfm", "a directory", (text) => text),
    kafka: readKafkaSettings(reader),
    events: integer("events"),
    users: integer("users"),
    artists: integer("artists"),
    seed: integer("seed"),
    liveRate: integer("live-rate"),
    walkerThreads: integer("walker-threads"),
    timestampUnit: choice("timestamp-unit"),
    bodyLimit: integer("body-limit"),
    logLevel: choice("log-level"),
  };
  checkDataSource(settings, flags);
  return settings;
}

/** Flags as parseArgs gives them: text, or true for an option that takes no value. */
type Flags = Partial<Record<OptionName, string | true>>;

/** Readers of options, each checked: the flag, else the non-empty environment variable. */
function optionReader(flags: Flags, env: NodeJS.ProcessEnv) {
  /** The option's text checked by `parse`; undefined when unset. A bad value names its flag or variable. */
  const read = <T>(name: OptionName, allowed: string, parse: (text: string) => T | undefined): T | undefined => {
    const flag = flags[name];
    const text = flag === true ? "true" : (flag ?? fromEnv(env, OPTIONS[name].env));
    if (text === undefined) return undefined;
    const value = parse(text);
    if (value !== undefined) return value;
    const source = flag === undefined ? OPTIONS[name].env : `--${name}`;
    throw new UsageError(`${source} must be ${allowed}, got "${text}"`);
  };
  const integer = (name: IntegerOption): number => {
    const [min, max] = OPTIONS[name].range;
    const parse = (text: string) => (/^\d+$/.test(text) && +text >= min && +text <= max ? +text : undefined);
    return read(name, `an integer from ${min} to ${max}`, parse) ?? OPTIONS[name].default;
  };
  const choice = <K extends ChoiceOption>(name: K): Options[K]["choices"][number] => {
    const choices: readonly string[] = OPTIONS[name].choices;
    const parse = (text: string) => (choices.includes(text) ? (text as Options[K]["choices"][number]) : undefined);
    return read(name, `one of ${choices.join(", ")}`, parse) ?? OPTIONS[name].default;
  };
  return { read, integer, choice };
}

function readKafkaSettings({ read, integer, choice }: ReturnType<typeof optionReader>): KafkaSettings | undefined {
  const brokers = read("kafka", "a comma-separated host:port list", (text) => {
    const list = text.split(",").map((broker) => broker.trim());
    return list.every((broker) => /^\S+:\d{1,5}$/.test(broker)) ? list : undefined;
  });
  if (brokers === undefined) return undefined;
  // Kafka's own rule for topic names, so that a typo fails here and not in the broker's answer.
  const topic = (name: TopicOption) =>
    read(name, "a topic name of letters, digits, '.', '_' and '-'", (text) => (/^[\w.-]{1,249}$/.test(text) ? text : undefined));
  const output = read("kafka-output", "true or false", (text) => (text === "true" ? true : text === "false" ? false : undefined));
  return {
    brokers,
    format: choice("kafka-format"),
    topics: {
      events: topic("kafka-events-topic") ?? OPTIONS["kafka-events-topic"].default,
      artists: topic("kafka-artists-topic") ?? OPTIONS["kafka-artists-topic"].default,
      albums: topic("kafka-albums-topic") ?? OPTIONS["kafka-albums-topic"].default,
      tracks: topic("kafka-tracks-topic") ?? OPTIONS["kafka-tracks-topic"].default,
    },
    deadLetterTopic: topic("kafka-dead-letter"),
    output: output ? { format: choice("kafka-output-format"), usersPerSecond: integer("kafka-output-rate") } : undefined,
  };
}

/** Refuses combinations that would silently not do what was asked. */
function checkDataSource({ kafka, lfm, timestampUnit }: ServeSettings, flags: Flags): void {
  const needs = (prefix: string, needed: string) => {
    const stray = Object.keys(flags).find((name) => name.startsWith(prefix));
    if (stray !== undefined) throw new UsageError(`--${stray} needs ${needed}`);
  };
  if (kafka === undefined) return needs("kafka-", "--kafka <brokers>");
  if (kafka.output === undefined) needs("kafka-output-", "--kafka-output");
  if (lfm !== undefined) throw new UsageError("--kafka and --lfm are two data sources: give one of them");
  if (kafka.format !== "json" && timestampUnit === "s") {
    throw new UsageError('Kafka Avro timestamps are epoch ms: use --timestamp-unit ms or auto, or --kafka-format json');
  }
}


/** Listens first (so /healthz and /readyz answer during a long load), loads, then serves until a signal. */
async function serve(settings: ServeSettings): Promise<number> {
  const store = await ProfileStore.create({ timestampUnit: settings.timestampUnit, walkerThreads: settings.walkerThreads });
  const metrics = new ServiceMetrics(store);
  const readiness: Readiness = { state: "loading" };
  const app = await buildServer(store, { metrics, readiness, bodyLimit: settings.bodyLimit, logger: { level: settings.logLevel } });
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    app.log.info(`${signal} received: finishing requests in flight, then exiting`);
    stop.abort();
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  let live: LiveStream | undefined;
  let pipeline: KafkaPipeline | undefined;
  let exitCode = 0;
  try {
    await app.listen({ host: settings.host, port: settings.port });
    if (settings.kafka === undefined) live = await loadData(app, store, metrics, settings, stop.signal);
    else pipeline = await consumeKafka(app, store, metrics, readiness, settings.kafka, stop.signal);
    readiness.state = "ready";
    app.log.info(`ready: ${describeStore(store)}; API docs at /docs`);
    await whenAborted(stop.signal);
  } catch (error) {
    if (!stop.signal.aborted) {
      app.log.error({ err: error }, "profile-store serve failed");
      exitCode = 1;
    }
  } finally {
    live?.stop();
    await app.close();
    await pipeline?.close();
    await store.close();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  return exitCode;
}

/** Resolves when `signal` aborts (at once if it already has). */
function whenAborted(signal: AbortSignal): Promise<unknown> {
  return signal.aborted ? Promise.resolve() : once(signal, "abort");
}

/** Loads the data source; in the embedded demo, starts the live stream and returns it. */
async function loadData(
  app: App,
  store: ProfileStore,
  metrics: ServiceMetrics,
  settings: ServeSettings,
  signal: AbortSignal,
): Promise<LiveStream | undefined> {
  const started = performance.now();
  if (settings.lfm !== undefined) {
    await loadLfmDirectory(app, store, metrics, settings.lfm, signal);
    app.log.info(`loaded ${settings.lfm} in ${seconds(started)} s`);
    return undefined;
  }
  const { events, users, artists, seed } = settings;
  const generator = createGenerator({ events: Math.max(1, events), users, artists, seed });
  const progress = createProgress("generate", Math.max(1, events), "events");
  let applied = 0;
  try {
    await loadGeneratedData(store, generator, {
      events,
      signal,
      onIngest: (result) => {
        metrics.countIngest("preload", result);
        progress.update((applied += result.accepted));
      },
    });
  } finally {
    progress.stop();
  }
  app.log.info(`generated ${events} events of ${users} listeners and ${artists} artists in ${seconds(started)} s`);
  if (settings.liveRate === 0) return undefined;
  return startLiveStream(store, generator, {
    eventsPerSecond: settings.liveRate,
    onIngest: (result) => metrics.countIngest("live", result),
  });
}

async function loadLfmDirectory(app: App, store: ProfileStore, metrics: ServiceMetrics, dir: string, signal: AbortSignal): Promise<void> {
  let progress: Progress | undefined;
  const MB = 1e6;
  const sink: Lfm1bSink = {
    ingest: (batch, options) => {
      // A signal during a long load stops it here; serve() then closes and exits 0.
      signal.throwIfAborted();
      metrics.countIngest("preload", store.ingest(batch, options));
    },
    setNames: (field, names) => store.setNames(field, names),
  };
  try {
    const summary = await loadLfm1b(dir, sink, {
      onProgress: ({ bytesRead, totalBytes }) => {
        progress ??= createProgress(`load ${dir}`, Math.max(1, Math.ceil(totalBytes / MB)), "MB");
        progress.update(Math.floor(bytesRead / MB));
      },
      onBadLine: (lineNo, _line, reason, file) => app.log.debug(`skipped ${file}:${lineNo}: ${reason}`),
    });
    if (summary.badLines > 0) app.log.warn(`skipped ${summary.badLines} bad lines (log level debug lists them)`);
  } finally {
    progress?.stop();
  }
  store.compact();
}

/**
 * Starts consuming Kafka and resolves to the pipeline once it has caught up with the topics, showing
 * progress; closes it and rejects if `signal` aborts first. From then on /readyz follows the pipeline.
 */
async function consumeKafka(
  app: App,
  store: ProfileStore,
  metrics: ServiceMetrics,
  readiness: Readiness,
  kafka: KafkaSettings,
  signal: AbortSignal,
): Promise<KafkaPipeline> {
  const brokers = kafka.brokers.join(",");
  let progress: Progress | undefined;
  const pipeline = startKafkaPipeline(store, {
    ...kafka,
    logger: childLogger(app, "kafka"),
    onIngest: (result) => metrics.countIngest("kafka", result),
    onProgress: ({ done, total }) => {
      if (total === 0) return;
      progress ??= createProgress("catch up with Kafka", total, "records");
      progress.update(done);
    },
  });
  metrics.observeKafka(pipeline);
  readiness.sourceProblem = () => (pipeline.isReady() ? undefined : `Kafka at ${brokers} does not answer`);
  app.log.info(`consuming ${Object.values(kafka.topics).join(", ")} from ${brokers}`);
  const started = performance.now();
  try {
    await Promise.race([pipeline.caughtUp, whenAborted(signal)]);
    signal.throwIfAborted();
  } catch (error) {
    await pipeline.close();
    throw error;
  } finally {
    progress?.stop();
  }
  // The replayed history was a bulk load: fold it into compact storage, as after loading LFM-1b files.
  store.compact();
  app.log.info(`caught up with ${pipeline.stats().catchUp.total} Kafka records in ${seconds(started)} s`);
  return pipeline;
}

/** The service's log, as the Kafka modules want it, with the lines marked by their origin. */
function childLogger(app: App, source: string): Logger {
  const log = app.log.child({ source });
  return { error: (message) => log.error(message), warn: (message) => log.warn(message), info: (message) => log.info(message) };
}

function describeStore(store: ProfileStore): string {
  const stats = store.stats();
  const threads = store.options.walkerThreads;
  return `${stats.users} listeners, ${stats.events.accepted} events, ${stats.names.ARTIST} artist names, ${threads} walker thread${threads === 1 ? "" : "s"}`;
}

function seconds(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(1);
}
