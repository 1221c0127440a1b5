// `profile-store query`: the GraphQL API from the command line, through ProfileClient (so it works
// against a Quick gateway too). Answers print as JSON; `watch` prints one live event per line.
import { ProfileClient, type EdgeWeight, type FieldType, type ListenerOrder, type Preset, type RecommendationOptions, type RecommendMethod } from "../client/index.js";
import { asciiUpperCase, LIMITS } from "../validation.js";
import { commandHelp, QUERY_OPTIONS, readCommandOptions, type QueryOptions } from "./options.js";
import { UsageError, runCommand } from "./usage.js";

const ACTIONS = {
  profile: ["<userId>", "a listener's metrics and charts with names"],
  recommend: ["<userId>", "recommendations (--field, --limit, --preset, --method and the walks' options below)"],
  send: ["", "send one play (--user, --artist, --album, --track, --timestamp)"],
  listeners: ["", "listeners by latest play or play count (--order, --count)"],
  watch: ["", "print every play the service applies, live (--count to stop)"],
} as const;
type Action = keyof typeof ACTIONS;

const HELP = commandHelp(
  "query",
  "<action> [userId] [options]",
  `
Asks the service's GraphQL API (or a Quick gateway's) at --url.

Actions:
${Object.entries(ACTIONS)
  .map(([name, [args, text]]) => `  ${`${name} ${args}`.padEnd(21)}${text}`)
  .join("\n")}
`,
);

interface QuerySettings {
  action: Action;
  userId?: number;
  options: QueryOptions;
}

export async function runQuery(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return runCommand("query", HELP, () => readSettings(argv, env), query);
}

function readSettings(argv: string[], env: NodeJS.ProcessEnv): QuerySettings | "help" {
  const [action, ...rest] = argv;
  if (action === "--help" || action === "-h" || rest.includes("--help") || rest.includes("-h")) return "help";
  if (action === undefined || !Object.hasOwn(ACTIONS, action)) {
    throw new UsageError(`${action === undefined ? "missing action" : `unknown action "${action}"`}: give one of ${Object.keys(ACTIONS).join(", ")}`);
  }
  const takesUser = action === "profile" || action === "recommend";
  const userText = takesUser ? rest[0] : undefined;
  const flags = takesUser ? rest.slice(1) : rest;
  if (takesUser && (userText === undefined || !/^\d{1,16}$/.test(userText) || !Number.isSafeInteger(+userText))) {
    throw new UsageError(`query ${action} needs a listener id, an integer from 0 to 2^53-1, got ${userText === undefined ? "nothing" : `"${userText}"`}`);
  }
  const options = readCommandOptions("query", flags, env);
  if (options === "help") return "help";
  // An option of another action would be ignored: say so instead of answering without it.
  for (const flag of flags) {
    const name = /^--([^=]+)/.exec(flag)?.[1] ?? "";
    const section = Object.hasOwn(QUERY_OPTIONS, name) ? (QUERY_OPTIONS as Record<string, { section?: string }>)[name]!.section : undefined;
    if (section !== undefined && section !== `query ${action}`) throw new UsageError(`--${name} is an option of ${section}, not of query ${action}`);
  }
  if (action === "listeners" && options.count !== undefined && options.count > LIMITS.listeners) {
    throw new UsageError(`query listeners lists at most ${LIMITS.listeners} listeners: --count must be an integer from 1 to ${LIMITS.listeners}, got ${options.count}`);
  }
  if (action === "send") {
    const missing = (["user", "artist", "album", "track"] as const).filter((name) => options[name] === undefined);
    if (missing.length > 0) throw new UsageError(`query send needs ${missing.map((name) => `--${name} <id>`).join(", ")}`);
  }
  return { action: action as Action, userId: userText === undefined ? undefined : Number(userText), options };
}

async function query({ action, userId, options }: QuerySettings): Promise<number> {
  const client = new ProfileClient({ url: options.url, apiKey: options["api-key"] });
  const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, action === "watch" ? undefined : 2)}\n`);
  // A reader that goes away (query watch | head -1) ends the output, not with a stack trace.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
    process.exit(0);
  });
  try {
    if (action === "profile") {
      const profile = await client.getUserProfile(userId!);
      if (profile === null) {
        process.stderr.write(`profile-store query: no listener ${userId}\n`);
        return 1;
      }
      print(profile);
    } else if (action === "recommend") {
      print(await client.getRecommendations(userId!, options.field as FieldType, recommendationOptions(options)));
    } else if (action === "send") {
      const { user, artist, album, track } = options;
      print(await client.sendListeningEvent({ userId: user!, artistId: artist!, albumId: album!, trackId: track!, timestamp: options.timestamp ?? Date.now() }));
    } else if (action === "listeners") {
      print(await client.listeners({ limit: options.count ?? 20, order: options.order as ListenerOrder }));
    } else {
      await watch(client, options.count, print);
    }
    return 0;
  } catch (error) {
    process.stderr.write(`profile-store query: ${describeFailure(error)}\n`);
    return 1;
  } finally {
    await client.close();
  }
}

/** The flags of `query recommend` as the client's options; names as the GraphQL enums spell them (QUALITY). */
function recommendationOptions(options: QueryOptions): RecommendationOptions {
  const upper = <T extends string>(value: string | undefined) => (value === undefined ? undefined : (asciiUpperCase(value) as T));
  return {
    limit: options.limit,
    walks: options.walks,
    walkLength: options["walk-length"],
    resetProbability: options["reset-probability"],
    seed: options.seed,
    popularityPenalty: options["popularity-penalty"],
    preset: upper<Preset>(options.preset),
    method: upper<RecommendMethod>(options.method),
    neighbours: options.neighbours,
    itemExponent: options["item-exponent"],
    userExponent: options["user-exponent"],
    hubCap: options["hub-cap"],
    edgeWeight: upper<EdgeWeight>(options["edge-weight"]),
    ridge: options.ridge,
  };
}

/** Prints live events until `count` have come, or until SIGINT or SIGTERM. */
function watch(client: ProfileClient, count: number | undefined, print: (value: unknown) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = 0;
    const done = () => {
      stop();
      process.off("SIGINT", done);
      process.off("SIGTERM", done);
      resolve();
    };
    const stop = client.subscribe(
      (event) => {
        print(event);
        if (++seen === count) done();
      },
      (error) => {
        stop();
        reject(error);
      },
    );
    process.once("SIGINT", done);
    process.once("SIGTERM", done);
  });
}

/** GraphQL errors say what went wrong in their messages; a failed connection in its cause. */
function describeFailure(error: unknown): string {
  type Failure = { message: string; extensions?: { body?: { message?: unknown } } };
  const response = (error as { response?: { errors?: Failure[]; status?: number } }).response;
  // A REST error carries the service's answer: its message says what was wrong.
  const withBody = (e: Failure) => (typeof e.extensions?.body?.message === "string" ? `${e.message}: ${e.extensions.body.message}` : e.message);
  if (response?.errors?.length) return response.errors.map(withBody).join("; ");
  const { code, message } = (error as { cause?: { code?: string; message?: string } }).cause ?? {};
  const cause = code ?? message;
  if (Array.isArray(error)) return error.map((e) => (e as { message?: string }).message ?? String(e)).join("; ");
  return cause ? `${(error as Error).message} (${cause})` : ((error as Error).message ?? String(error));
}
