// What every subcommand shares: usage mistakes, --help, and their exit codes.

/** A command-line mistake: reported with the command's name and a pointer to --help, exit code 2. */
export class UsageError extends Error {}

/** parseArgs reports unknown or malformed flags as TypeErrors with ERR_PARSE_ARGS_* codes. */
function isParseArgsError(error: unknown): boolean {
  return error instanceof TypeError && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS_");
}

/** An empty variable counts as unset, as shells make clearing one awkward. */
export function fromEnv(env: NodeJS.ProcessEnv, variable: string): string | undefined {
  return env[variable] || undefined;
}

/**
 * Reads the settings (or "help") and runs the command; resolves to the exit code. Usage mistakes are
 * printed to stderr and give 2, --help prints `help` and gives 0.
 */
export async function runCommand<Settings>(
  name: string,
  help: string,
  readSettings: () => Settings | "help",
  run: (settings: Settings) => Promise<number>,
): Promise<number> {
  let settings: Settings | "help";
  try {
    settings = readSettings();
  } catch (error) {
    if (!(error instanceof UsageError || isParseArgsError(error))) throw error;
    process.stderr.write(`profile-store ${name}: ${(error as Error).message}\nRun "profile-store ${name} --help" for usage.\n`);
    return 2;
  }
  if (settings === "help") {
    process.stdout.write(help);
    return 0;
  }
  return run(settings);
}
