// `profile-store serve`: the options (options.ts) become service settings; the service (src/service/)
// does the rest, and stops on SIGTERM or SIGINT.
import { findEventFiles } from "../ingest/lfm1b.js";
import { closeOnSignals } from "../service/signals.js";
import { startService } from "../service/service.js";
import type { DataSource, ServiceSettings } from "../service/settings.js";
import { commandHelp, readCommandOptions, type ServeOptions } from "./options.js";
import { createProgress } from "./progress.js";
import { UsageError, runCommand } from "./usage.js";

const HELP = commandHelp(
  "serve",
  "[options]",
  `
Serves listener profiles, charts and recommendations over HTTP: the REST API
(OpenAPI browsable at /docs), the seed's GraphQL API (POST /graphql, subscriptions
at /graphql-ws, GraphiQL at /graphiql) and Prometheus metrics at /metrics.

With no --lfm or --kafka it runs the embedded demo: a generated catalogue and
history (--events, --users, --artists, --seed), then a live stream of generated
plays (--live-rate) so that profiles and recommendations keep changing. No Kafka
needed. With --lfm <dir> it loads LFM-1b_LEs*.txt and the artists, albums and
tracks files from <dir>, showing progress. With --kafka <brokers> it reads every
partition of the events and names topics from the beginning (each replica holds
the whole graph), showing catch-up progress, then applies new records as they
come; POST /events then produces to the events topic. /readyz answers 503 until
the data is loaded or caught up, while Kafka does not answer, and from SIGTERM or
SIGINT on: the service keeps answering for --drain-seconds, then closes (finishing
requests in flight) and exits with 0 (1 if the last snapshot of --state-dir
failed). A second signal exits at once.

With --state-dir <dir> it restores the state from a snapshot there instead of
loading the source (with Kafka it consumes on from the snapshot's offsets, so
nothing is lost or applied twice), and writes a new snapshot every
--snapshot-interval or --snapshot-events, whichever comes first, and when it
stops. A snapshot of another source or options, of another build, or corrupt, is
refused with a warning, and the source is loaded from the beginning. One service
at a time holds a state dir (its pid in <dir>/lock); a second one does not start.
`,
);

/** `profile-store serve`; resolves to the exit code once the service has stopped (0 after a signal). */
export async function runServe(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return runCommand("serve", HELP, () => readSettings(argv, env), serve);
}

function readSettings(argv: string[], env: NodeJS.ProcessEnv): ServiceSettings | "help" {
  const options = readCommandOptions("serve", argv, env);
  if (options === "help") return "help";
  if (options.kafka !== undefined && options["kafka-format"] !== "json" && options["timestamp-unit"] === "s") {
    throw new UsageError("Kafka Avro timestamps are epoch ms: use --timestamp-unit ms or auto, or --kafka-format json");
  }
  const headersTimeout = options["headers-timeout"];
  if (headersTimeout !== undefined && headersTimeout > options["request-timeout"]) {
    throw new UsageError(`--headers-timeout must not be longer than --request-timeout, got ${headersTimeout} and ${options["request-timeout"]} ms`);
  }
  return {
    source: dataSource(options),
    host: options.host,
    port: options.port,
    timestampUnit: options["timestamp-unit"],
    walkerThreads: options["walker-threads"],
    defaultPreset: options["default-preset"],
    drainSeconds: options["drain-seconds"],
    logLevel: options["log-level"],
    server: {
      bodyLimit: options["body-limit"],
      apiKey: options["api-key"],
      apiKeyForReads: options["api-key-reads"],
      // A service bound to one address answers to that name as well as to loopback's.
      allowedHosts: [...(options["allowed-hosts"] ?? []), ...(["0.0.0.0", "::"].includes(options.host) ? [] : [options.host])],
      requestTimeoutMs: options["request-timeout"],
      headersTimeoutMs: options["headers-timeout"],
      keepAliveTimeoutMs: options["keep-alive-timeout"],
      maxConnections: options["max-connections"],
    },
    snapshots: options["state-dir"] === undefined ? undefined : { dir: options["state-dir"], intervalSeconds: options["snapshot-interval"], events: options["snapshot-events"] },
    graphql: {
      schemaFile: options["graphql-schema"],
      recommenderBase: options["graphql-rest-base"],
      restTimeoutMs: options["graphql-rest-timeout"],
    },
    progress: createProgress,
  };
}

function dataSource(options: ServeOptions): DataSource {
  if (options.lfm !== undefined) return { kind: "lfm", dir: options.lfm };
  if (options.kafka === undefined) {
    const { events, users, artists, seed } = options;
    return { kind: "demo", events, users, artists, seed, liveRate: options["live-rate"] };
  }
  return {
    kind: "kafka",
    brokers: options.kafka,
    format: options["kafka-format"],
    topics: {
      events: options["kafka-events-topic"],
      artists: options["kafka-artists-topic"],
      albums: options["kafka-albums-topic"],
      tracks: options["kafka-tracks-topic"],
    },
    deadLetterTopic: options["kafka-dead-letter"],
    output: options["kafka-output"] ? { format: options["kafka-output-format"], usersPerSecond: options["kafka-output-rate"] } : undefined,
    produceTimeoutMs: options["kafka-produce-timeout"],
  };
}

/** Before listening: a --lfm directory without LFM-1b events fails the start, not the load after it. */
async function checkLfmDir(dir: string): Promise<void> {
  await findEventFiles(dir).catch((error: Error) => {
    throw new Error(`--lfm ${dir}: ${error.message}`);
  });
}

/** Serves until a signal (exit 0; 1 if the last snapshot failed), or until loading the data fails (exit 1). */
async function serve(settings: ServiceSettings): Promise<number> {
  let service;
  try {
    if (settings.source.kind === "lfm") await checkLfmDir(settings.source.dir);
    service = await startService(settings);
  } catch (error) {
    process.stderr.write(`profile-store serve: ${(error as Error).message}\n`);
    return 1;
  }
  closeOnSignals(service);
  try {
    await service.ready;
  } catch {
    // The service has logged why; a signal during the load is no failure.
    if (!service.closing) {
      await service.close().catch(() => undefined);
      return 1;
    }
  }
  try {
    await service.closed;
  } catch (error) {
    process.stderr.write(`profile-store serve: ${(error as Error).message}\n`);
    return 1;
  }
  return 0;
}
