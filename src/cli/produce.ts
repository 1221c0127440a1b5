import { parseArgs } from "node:util";
import { GENERATOR_DEFAULTS } from "../ingest/generator.js";
import { KafkaClient } from "../kafka/client.js";
import { DEFAULT_INPUT_TOPICS } from "../kafka/event-consumer.js";
import { produce, type ProduceOptions } from "../kafka/produce.js";
import { createProgress, type Progress } from "./progress.js";
import { UsageError, runCommand } from "./usage.js";

const HELP = `Usage: profile-store produce (--dir <dir> | --generate <n>) [options]

Writes listening events into Kafka as the seed's producer does: key = userId
(8-byte long), value = ListeningEvent (Avro in the Confluent framing, or JSON).
Item names go to the artists, albums and tracks topics first. Topics that do not
exist are created.

Source (one of):
  --dir <dir>             an LFM-1b directory (LFM-1b_LEs*.txt, LFM-1b_artists*.txt, ...)
  --generate <n>          n generated events (see "profile-store generate")
  --users <n>             generated listeners (default ${GENERATOR_DEFAULTS.users})
  --artists <n>           generated artists (default ${GENERATOR_DEFAULTS.artists})
  --seed <n>              generator seed (default ${GENERATOR_DEFAULTS.seed})

Options:
  --brokers <list>        host:port,... (default $KAFKA_BROKERS, else 127.0.0.1:9092)
  --format <f>            avro | json (default avro)
  --topic <name>          events topic (default ${DEFAULT_INPUT_TOPICS.events})
  --artists-topic <name>  (default ${DEFAULT_INPUT_TOPICS.artists})
  --albums-topic <name>   (default ${DEFAULT_INPUT_TOPICS.albums})
  --tracks-topic <name>   (default ${DEFAULT_INPUT_TOPICS.tracks})
  --partitions <n>        partitions of topics it creates (default 1)
  --delay <seconds>       pause after each event (default 0: batches, as fast as possible)
  --realtime              timestamp each event with the time it is sent
  --repeat <n>            send the data set n times (default 1)
  --dropout <ratio>       drop this fraction of events at random (default 0)
  -h, --help              show this help
`;

/** \`profile-store produce\`; resolves to the exit code (0 done, 1 failed, 2 bad usage). */
export async function runProduce(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return runCommand("produce", HELP, () => readSettings(argv, env), (settings) => run(settings.brokers, settings.options));
}

function readSettings(argv: string[], env: NodeJS.ProcessEnv): { brokers: string[]; options: ProduceOptions } | "help" {
  const text = { type: "string" } as const;
  const { values } = parseArgs({
    args: argv,
    options: {
      dir: text,
      generate: text,
      users: text,
      artists: text,
      seed: text,
      brokers: text,
      format: text,
      topic: text,
      "artists-topic": text,
      "albums-topic": text,
      "tracks-topic": text,
      partitions: text,
      delay: text,
      realtime: { type: "boolean" },
      repeat: text,
      dropout: text,
      help: { type: "boolean", short: "h" },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return "help";
  if ((values.dir === undefined) === (values.generate === undefined)) throw new UsageError("give exactly one of --dir <dir> and --generate <n>");
  const format = values.format ?? "avro";
  if (format !== "avro" && format !== "json") throw new UsageError(`--format must be avro or json, got "${format}"`);
  const generate = values.generate === undefined ? undefined : {
    events: integer("--generate", values.generate, 1),
    users: integer("--users", values.users ?? String(GENERATOR_DEFAULTS.users), 1),
    artists: integer("--artists", values.artists ?? String(GENERATOR_DEFAULTS.artists), 1),
    seed: integer("--seed", values.seed ?? String(GENERATOR_DEFAULTS.seed), 0),
  };
  return {
    brokers: (values.brokers ?? (env.KAFKA_BROKERS || "127.0.0.1:9092")).split(","),
    options: {
      source: generate ? { generate } : { dir: values.dir! },
      format,
      topics: {
        events: values.topic,
        artists: values["artists-topic"],
        albums: values["albums-topic"],
        tracks: values["tracks-topic"],
      },
      partitions: integer("--partitions", values.partitions ?? "1", 1),
      delayMs: 1000 * fraction("--delay", values.delay ?? "0", Infinity),
      realtime: values.realtime ?? false,
      repeat: integer("--repeat", values.repeat ?? "1", 1),
      dropout: fraction("--dropout", values.dropout ?? "0", 1),
    },
  };
}

function integer(flag: string, text: string, min: number): number {
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(value >= min && value <= Number.MAX_SAFE_INTEGER)) throw new UsageError(`${flag} must be an integer >= ${min}, got "${text}"`);
  return value;
}

function fraction(flag: string, text: string, max: number): number {
  const value = text.trim() === "" ? NaN : Number(text);
  if (!(value >= 0 && value <= max)) throw new UsageError(`${flag} must be a number from 0${max === Infinity ? "" : ` to ${max}`}, got "${text}"`);
  return value;
}

async function run(brokers: string[], options: ProduceOptions): Promise<number> {
  const client = new KafkaClient({ brokers, logLevel: "error" });
  let progress: Progress | undefined;
  const started = performance.now();
  try {
    const summary = await produce(client, {
      ...options,
      onProgress: (done, total, unit) => {
        progress ??= createProgress("produce", total, unit);
        progress.update(done);
      },
    });
    progress?.stop();
    const seconds = (performance.now() - started) / 1000;
    process.stdout.write(
      `Sent ${summary.events} events (${Math.round(summary.events / seconds)}/s, ${summary.dropped} dropped) ` +
        `and ${summary.names} names to ${brokers.join(",")} in ${seconds.toFixed(1)} s\n`,
    );
    return 0;
  } catch (error) {
    progress?.stop();
    process.stderr.write(`profile-store produce: ${(error as Error).message}\n`);
    return 1;
  } finally {
    await client.close();
  }
}
