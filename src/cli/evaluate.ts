// `profile-store evaluate`: measures the recommenders on interaction data; its options are in options.ts.
import { writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { hrLatencyChart } from "../evaluate/chart.js";
import { evaluate } from "../evaluate/evaluate.js";
import { resultsCaption, resultsTable } from "../evaluate/report.js";
import { makeDirectory } from "../make-directory.js";
import { commandHelp, readCommandOptions, type EvaluateCliOptions } from "./options.js";
import { createProgress, type Progress } from "./progress.js";
import { UsageError, runCommand } from "./usage.js";

const HELP = commandHelp(
  "evaluate",
  "(--hetrec <file> | --lfm <dir>) [options]",
  `
Splits the data by the protocol, fits every recommender on the training part and
ranks the whole catalogue for each test user (the user's items excluded): HR@K,
NDCG@K, recall@K, catalogue coverage and p50/p99 latency per request. The same
options always measure the same rankings (latencies vary). Prints the table; with
--out also writes results.md and hr-vs-latency.svg.
`,
);

export async function runEvaluate(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return runCommand("evaluate", HELP, () => readSettings(argv, env), run);
}

function readSettings(argv: string[], env: NodeJS.ProcessEnv): EvaluateCliOptions | "help" {
  const settings = readCommandOptions("evaluate", argv, env);
  if (settings === "help") return settings;
  if (settings.hetrec === undefined && settings.lfm === undefined) throw new UsageError("--hetrec <file> or --lfm <dir> is required");
  if (settings.protocol === "temporal" && settings.hetrec !== undefined) throw new UsageError("--protocol temporal needs timestamps: use --lfm, hetrec has none");
  return settings;
}

async function run(settings: EvaluateCliOptions): Promise<number> {
  let progress: Progress | undefined;
  try {
    // Before the evaluation, which may take long: an --out that cannot be made fails now.
    if (settings.out !== undefined) {
      await makeDirectory(settings.out).catch((error: Error) => {
        throw new Error(`--out ${settings.out} cannot be made: ${error.message}`);
      });
    }
    const evaluation = await evaluate({
      ...(settings.hetrec !== undefined ? { hetrec: settings.hetrec } : { lfm: settings.lfm! }),
      protocol: settings.protocol,
      k: settings.k,
      seed: settings.seed,
      recommenders: settings.recommenders,
      users: settings.users,
      onProgress: (done, total) => {
        progress ??= createProgress("evaluate", total, "requests");
        progress.update(done);
      },
    });
    progress?.stop();
    const dataName = basename(settings.hetrec ?? settings.lfm!);
    const report = `${resultsCaption(evaluation, dataName)}\n\n${resultsTable(evaluation)}`;
    process.stdout.write(report);
    if (settings.out !== undefined) {
      await writeFile(join(settings.out, "results.md"), report);
      await writeFile(join(settings.out, "hr-vs-latency.svg"), hrLatencyChart(evaluation));
      process.stdout.write(`Wrote results.md and hr-vs-latency.svg to ${settings.out}\n`);
    }
    return 0;
  } catch (error) {
    progress?.stop();
    process.stderr.write(`profile-store evaluate: ${(error as Error).message}\n`);
    return 1;
  }
}
