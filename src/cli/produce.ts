// `profile-store produce`: sends LFM-1b files or generated events to the Kafka topics, as the seed's
// producer does; its options are in options.ts (brokers and topics checked as serve checks them).
import { KafkaClient } from "../kafka/client.js";
import { produce, type ProduceOptions } from "../kafka/produce.js";
import { commandHelp, readCommandOptions } from "./options.js";
import { createProgress, type Progress } from "./progress.js";
import { UsageError, runCommand } from "./usage.js";

const HELP = commandHelp(
  "produce",
  "(--dir <dir> | --generate <n>) [options]",
  `
Writes listening events into Kafka as the seed's producer does: key = userId
(8-byte long), value = ListeningEvent (Avro in the Confluent framing, or JSON).
Item names go to the artists, albums and tracks topics first. Topics that do not
exist are created.
`,
);

/** `profile-store produce`; resolves to the exit code (0 done, 1 failed, 2 bad usage). */
export async function runProduce(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return runCommand("produce", HELP, () => readSettings(argv, env), (settings) => run(settings.brokers, settings.options));
}

function readSettings(argv: string[], env: NodeJS.ProcessEnv): { brokers: string[]; options: ProduceOptions } | "help" {
  const options = readCommandOptions("produce", argv, env);
  if (options === "help") return "help";
  const { dir, generate, users, artists, seed } = options;
  if ((dir === undefined) === (generate === undefined)) throw new UsageError("give exactly one of --dir <dir> and --generate <n>");
  return {
    brokers: options.brokers,
    options: {
      source: generate !== undefined ? { generate: { events: generate, users, artists, seed } } : { dir: dir! },
      format: options.format,
      topics: { events: options.topic, artists: options["artists-topic"], albums: options["albums-topic"], tracks: options["tracks-topic"] },
      partitions: options.partitions,
      delayMs: 1000 * options.delay,
      realtime: options.realtime,
      repeat: options.repeat,
      dropout: options.dropout,
    },
  };
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
