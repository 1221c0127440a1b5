/** The `profile-store` subcommands; each module is loaded only when its command runs. */

export type CommandRunner = (argv: string[]) => Promise<number>;

interface Command {
  summary: string;
  load: () => Promise<CommandRunner>;
}

const COMMANDS: Record<string, Command> = {
  generate: {
    summary: "write a synthetic LFM-1b-like data set",
    load: async () => (await import("./generate.js")).runGenerate,
  },
  serve: {
    summary: "serve profiles, charts and recommendations over HTTP",
    load: async () => (await import("./serve.js")).runServe,
  },
  query: {
    summary: "ask the GraphQL API: a profile, recommendations, send a play, listeners, watch live plays",
    load: async () => (await import("./query.js")).runQuery,
  },
  produce: {
    summary: "send LFM-1b files or generated events to Kafka topics, as the seed's producer does",
    load: async () => (await import("./produce.js")).runProduce,
  },
  evaluate: {
    summary: "measure recommendation quality (HR, NDCG, recall, coverage, latency) on interaction data",
    load: async () => (await import("./evaluate.js")).runEvaluate,
  },
};

const HELP = `Usage: profile-store <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, command]) => `  ${name.padEnd(12)}${command.summary}`)
  .join("\n")}

Run "profile-store <command> --help" for a command's options.
`;

/** Runs the command named by argv[0]; resolves to the exit code (2 for bad usage). */
export async function runCli(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(HELP);
    return 0;
  }
  if (name === undefined || !Object.hasOwn(COMMANDS, name)) {
    const problem = name === undefined ? "missing command" : `unknown command "${name}"`;
    process.stderr.write(`profile-store: ${problem}\n\n${HELP}`);
    return 2;
  }
  const run = await COMMANDS[name].load();
  return run(rest);
}
