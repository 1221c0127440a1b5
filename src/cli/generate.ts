// `profile-store generate`: writes a synthetic LFM-1b-like data set; its options are in options.ts.
import { writeLfm1bDataset } from "../ingest/lfm1b-writer.js";
import { commandHelp, readCommandOptions } from "./options.js";
import { createProgress } from "./progress.js";
import { runCommand } from "./usage.js";

interface GenerateSettings {
  out: string;
  events: number;
  users: number;
  artists: number;
  seed: number;
}

const HELP = commandHelp(
  "generate",
  "--out <dir> [options]",
  `
Writes a synthetic LFM-1b-like data set into <dir>: LFM-1b_LEs.txt (events,
timestamps in seconds), LFM-1b_artists.txt, LFM-1b_albums.txt, LFM-1b_tracks.txt.
The same options always write the same files.
`,
);

/** `profile-store generate`; resolves to the exit code (0 done, 1 failed, 2 bad usage). */
export async function runGenerate(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return runCommand("generate", HELP, () => readCommandOptions("generate", argv, env), generate);
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
