import { parseArgs } from "node:util";
import { GENERATOR_DEFAULTS, MAX_USERS_OR_ARTISTS } from "../ingest/generator.js";
import { writeLfm1bDataset } from "../ingest/lfm1b-writer.js";
import { createProgress } from "./progress.js";
import { UsageError, fromEnv, runCommand } from "./usage.js";

/** Every option with its environment variable (flags win over env) and default. */
const OPTIONS = {
  out: { env: "PROFILE_STORE_OUT", value: "<dir>", help: "directory to write into, created if missing" },
  events: { env: "PROFILE_STORE_EVENTS", value: "<n>", help: "listening events to write", default: 1_000_000 },
  users: { env: "PROFILE_STORE_USERS", value: "<n>", help: "listeners", default: GENERATOR_DEFAULTS.users },
  artists: { env: "PROFILE_STORE_ARTISTS", value: "<n>", help: "artists", default: GENERATOR_DEFAULTS.artists },
  seed: { env: "PROFILE_STORE_SEED", value: "<n>", help: "random seed", default: GENERATOR_DEFAULTS.seed },
} as const;

type OptionName = keyof typeof OPTIONS;

interface GenerateSettings {
  out: string;
  events: number;
  users: number;
  artists: number;
  seed: number;
}

const HELP = `Usage: profile-store generate --out <dir> [options]

Writes a synthetic LFM-1b-like data set into <dir>: LFM-1b_LEs.txt (events,
timestamps in seconds), LFM-1b_artists.txt, LFM-1b_albums.txt, LFM-1b_tracks.txt.
The same options always write the same files.

Options:
${Object.entries(OPTIONS)
  .map(([name, o]) => {
    const flag = `--${name} ${o.value}`.padEnd(18);
    const fallback = "default" in o ? `default ${o.default}` : "required";
    return `  ${flag}${o.help} (${fallback}; env ${o.env})`;
  })
  .join("\n")}
  -h, --help        show this help

Command-line options override environment variables.
`;

/** `profile-store generate`; resolves to the exit code (0 done, 1 failed, 2 bad usage). */
export async function runGenerate(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return runCommand("generate", HELP, () => readSettings(argv, env), generate);
}

function readSettings(argv: string[], env: NodeJS.ProcessEnv): GenerateSettings | "help" {
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: "string" },
      events: { type: "string" },
      users: { type: "string" },
      artists: { type: "string" },
      seed: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return "help";
  const out = values.out ?? fromEnv(env, OPTIONS.out.env);
  if (out === undefined || out === "") throw new UsageError(`--out <dir> is required (or set ${OPTIONS.out.env})`);
  return {
    out,
    events: integerOption("events", values.events, env, 1, Number.MAX_SAFE_INTEGER),
    users: integerOption("users", values.users, env, 1, MAX_USERS_OR_ARTISTS),
    artists: integerOption("artists", values.artists, env, 1, MAX_USERS_OR_ARTISTS),
    seed: integerOption("seed", values.seed, env, 0, 2 ** 32 - 1),
  };
}

function integerOption(
  name: Exclude<OptionName, "out">,
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
  min: number,
  max: number,
): number {
  const { env: variable, default: fallback } = OPTIONS[name];
  const text = flag ?? fromEnv(env, variable);
  if (text === undefined) return fallback;
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(value >= min && value <= max)) {
    const source = flag === undefined ? variable : `--${name}`;
    const kind = min === 0 ? "a non-negative integer" : "a positive integer";
    throw new UsageError(`${source} must be ${kind}${max < Number.MAX_SAFE_INTEGER ? ` up to ${max}` : ""}, got "${text}"`);
  }
  return value;
}



async function generate(settings: GenerateSettings): Promise<number> {
  const started = performance.now();
  const progress = createProgress("generate", settings.events, "events");
  try {
    const summary = await writeLfm1bDataset(settings.out, { ...settings, onProgress: progress.update });
    progress.stop();
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    process.stdout.write(
      `Wrote ${summary.events} events of ${settings.users} users, ${summary.artists} artists, ` +
        `${summary.albums} albums, ${summary.tracks} tracks to ${settings.out} in ${seconds} s\n`,
    );
    return 0;
  } catch (error) {
    progress.stop();
    process.stderr.write(`profile-store generate: ${(error as Error).message}\n`);
    return 1;
  }
}
