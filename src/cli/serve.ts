import { once } from "node:events";
import { parseArgs } from "node:util";
import { loadGeneratedData } from "../demo/generated-data.js";
import { startLiveStream, type LiveStream } from "../demo/live-stream.js";
import type { App, Readiness } from "../http/context.js";
import { ServiceMetrics } from "../http/metrics.js";
import { DEFAULT_BODY_LIMIT, buildServer } from "../http/server.js";
import { GENERATOR_DEFAULTS, MAX_USERS_OR_ARTISTS, createGenerator } from "../ingest/generator.js";
import { loadLfm1b, type Lfm1bSink } from "../ingest/lfm1b.js";
import { ProfileStore } from "../profile-store.js";
import type { TimestampUnit } from "../types.js";
import { createProgress, type Progress } from "./progress.js";

/** Every option with its environment variable (flags win over env), its default and what it allows. */
const OPTIONS = {
  host: { env: "PROFILE_STORE_HOST", value: "<host>", help: "address to listen on", default: "127.0.0.1" },
  port: { env: "PROFILE_STORE_PORT", value: "<port>", help: "port to listen on, 0 for any free one", default: 8080, range: [0, 65535] },
  lfm: { env: "PROFILE_STORE_LFM", value: "<dir>", help: "load the LFM-1b files in <dir> instead of generated data" },
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
  "timestamp-unit": {
    env: "PROFILE_STORE_TIMESTAMP_UNIT",
    value: "<unit>",
    help: "unit of POST /events timestamps: ms, s, or auto (below 10^11 is seconds)",
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

interface ServeSettings {
  host: string;
  port: number;
  lfm: string | undefined;
  events: number;
  users: number;
  artists: number;
  seed: number;
  liveRate: number;
  timestampUnit: TimestampUnit;
  bodyLimit: number;
  logLevel: Options["log-level"]["choices"][number];
}

class UsageError extends Error {}

const HELP = `Usage: profile-store serve [options]

Serves listener profiles, charts and SALSA recommendations over HTTP (REST API,
OpenAPI browsable at /docs, Prometheus metrics at /metrics).

With no --lfm it runs the embedded demo: a generated catalogue and history
(--events, --users, --artists, --seed), then a live stream of generated plays
(--live-rate) so that profiles and recommendations keep changing. No Kafka needed.
With --lfm <dir> it loads LFM-1b_LEs*.txt and the artists, albums and tracks files
from <dir>, showing progress. /readyz answers 503 until the data is loaded.

Options:
${Object.entries(OPTIONS)
  .map(([name, o]) => {
    const flag = `--${name} ${o.value}`.padEnd(27);
    const fallback = "default" in o ? `default ${o.default}; ` : "";
    return `  ${flag}${o.help} (${fallback}env ${o.env})`;
  })
  .join("\n")}
  -h, --help                 show this help

Command-line options override environment variables. SIGINT or SIGTERM stops
accepting connections, finishes requests in flight and exits with 0.
`;

/** `profile-store serve`; resolves to the exit code once the service has stopped (0 after a signal). */
export async function runServe(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let settings: ServeSettings | "help";
  try {
    settings = readSettings(argv, env);
  } catch (error) {
    if (!(error instanceof UsageError || isParseArgsError(error))) throw error;
    process.stderr.write(`profile-store serve: ${(error as Error).message}\nRun "profile-store serve --help" for usage.\n`);
    return 2;
  }
  if (settings === "help") {
    process.stdout.write(HELP);
    return 0;
  }
  return serve(settings);
}

function readSettings(argv: string[], env: NodeJS.ProcessEnv): ServeSettings | "help" {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...Object.fromEntries(Object.keys(OPTIONS).map((name) => [name, { type: "string" as const }])),
      help: { type: "boolean", short: "h" },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return "help";
  const flags = values as Partial<Record<OptionName, string>>;
  /** The option's text (flag, else non-empty variable) checked by `parse`; undefined when unset. */
  const read = <T>(name: OptionName, allowed: string, parse: (text: string) => T | undefined): T | undefined => {
    const text = flags[name] ?? (env[OPTIONS[name].env] || undefined);
    if (text === undefined) return undefined;
    const value = parse(text);
    if (value !== undefined) return value;
    const source = flags[name] === undefined ? OPTIONS[name].env : `--${name}`;
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
  return {
    host: read("host", "an address", (text) => text) ?? OPTIONS.host.default,
    port: integer("port"),
    lfm: read("lfm", "a directory", (text) => text),
    events: integer("events"),
    users: integer("users"),
    artists: integer("artists"),
    seed: integer("seed"),
    liveRate: integer("live-rate"),
    timestampUnit: choice("timestamp-unit"),
    bodyLimit: integer("body-limit"),
    logLevel: choice("log-level"),
  };
}

function isParseArgsError(error: unknown): boolean {
  return error instanceof TypeError && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS_");
}

/** Listens first (so /healthz and /readyz answer during a long load), loads, then serves until a signal. */
async function serve(settings: ServeSettings): Promise<number> {
  const store = await ProfileStore.create({ timestampUnit: settings.timestampUnit });
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
  let exitCode = 0;
  try {
    await app.listen({ host: settings.host, port: settings.port });
    live = await loadData(app, store, metrics, settings, stop.signal);
    readiness.state = "ready";
    app.log.info(`ready: ${describeStore(store)}; API docs at /docs`);
    if (!stop.signal.aborted) await once(stop.signal, "abort");
  } catch (error) {
    if (!stop.signal.aborted) {
      app.log.error({ err: error }, "profile-store serve failed");
      exitCode = 1;
    }
  } finally {
    live?.stop();
    await app.close();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  return exitCode;
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
    ingest: (batch) => {
      // A signal during a long load stops it here; serve() then closes and exits 0.
      signal.throwIfAborted();
      metrics.countIngest("preload", store.ingest(batch));
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

function describeStore(store: ProfileStore): string {
  const stats = store.stats();
  return `${stats.users} listeners, ${stats.events.accepted} events, ${stats.names.ARTIST} artist names`;
}

function seconds(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(1);
}
