// The option table of serve, generate and produce: --help generated from it, values checked alike,
// combinations that cannot work refused naming both options, and unknown PROFILE_STORE_* variables
// reported. Every case here fails before anything starts, so the commands run in process.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { captureOutput } from "./helpers/output.js";
import { runGenerate } from "../src/cli/generate.js";
import { EVALUATE_OPTIONS, GENERATE_OPTIONS, PRODUCE_OPTIONS, SERVE_OPTIONS } from "../src/cli/options.js";
import type { OptionTable } from "../src/cli/option-parser.js";
import { runEvaluate } from "../src/cli/evaluate.js";
import { runProduce } from "../src/cli/produce.js";
import { runServe } from "../src/cli/serve.js";

const output = captureOutput();

const COMMANDS = [
  { name: "serve", run: runServe, table: SERVE_OPTIONS as OptionTable },
  { name: "generate", run: runGenerate, table: GENERATE_OPTIONS as OptionTable },
  { name: "produce", run: runProduce, table: PRODUCE_OPTIONS as OptionTable },
  { name: "evaluate", run: runEvaluate, table: EVALUATE_OPTIONS as OptionTable },
] as const;

describe("--help", () => {
  it.each(COMMANDS)("of $name lists every option of the table with its variable and default", async ({ run, table }) => {
    expect(await run(["--help"], {})).toBe(0);
    const lines = output.stdout.split("\n");
    for (const [name, option] of Object.entries(table)) {
      const line = lines.find((l) => l.startsWith(`  --${name} `) || l === `  --${name}`);
      expect(line, name).toBeDefined();
      expect(line).toContain(option.help);
      if (option.env) expect(line).toContain(`env ${option.env}`);
      else expect(line).not.toContain("env ");
      if (option.required) expect(line).toContain("(required");
    }
    expect(output.stdout).toMatch(/^ {2}-h, --help +show this help$/m);
    expect(output.stderr).toBe("");
  });

  it("tells the defaults as they are", async () => {
    expect(await runServe(["--help"], {})).toBe(0);
    for (const line of [
      /^ {2}--port <port> +port to listen on, 0 for any free one \(default 8080; env PROFILE_STORE_PORT\)$/m,
      /^ {2}--drain-seconds <s> +.*\(default 5; env PROFILE_STORE_DRAIN_SECONDS\)$/m,
      /^ {2}--kafka <brokers> +consume .*\(env PROFILE_STORE_KAFKA\)$/m,
      /^ {2}--api-key <key> +require X-API-Key on writes \(POST \/events, GraphQL mutations\) \(env PROFILE_STORE_API_KEY\)$/m,
      /^ {2}--api-key-reads +also require it on reads \(default false; env PROFILE_STORE_API_KEY_READS\)$/m,
      /^ {2}--request-timeout <ms> +.*\(default 30000; env PROFILE_STORE_REQUEST_TIMEOUT\)$/m,
      /^ {2}--headers-timeout <ms> +.*\(default 10000, or --request-timeout if shorter; env PROFILE_STORE_HEADERS_TIMEOUT\)$/m,
      /^ {2}--keep-alive-timeout <ms> +.*\(default 5000; env PROFILE_STORE_KEEP_ALIVE_TIMEOUT\)$/m,
      /^ {2}--max-connections <n> +.*\(default 1000; env PROFILE_STORE_MAX_CONNECTIONS\)$/m,
      /^ {2}--allowed-hosts <list> +.*\(env PROFILE_STORE_ALLOWED_HOSTS\)$/m,
      /^ {2}--walker-threads <n> +.*\(default one less than the cores, at least 1: here \d+; env PROFILE_STORE_WALKER_THREADS\)$/m,
    ]) {
      expect(output.stdout).toMatch(line);
    }
    output.stdout = "";
    expect(await runProduce(["--help"], {})).toBe(0);
    expect(output.stdout).toMatch(/^ {2}--brokers <list> +.*\(default 127\.0\.0\.1:9092; env KAFKA_BROKERS\)$/m);
    expect(output.stdout).toMatch(/^ {2}--realtime +timestamp each event with the time it is sent \(default false\)$/m);
  });
});

describe("README", () => {
  it("lists every serve option with its variable in the service's option table", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    const section = readme.slice(readme.indexOf("## The service"), readme.indexOf("### Routes"));
    const rows = section.split("\n").filter((line) => line.startsWith("| `--"));
    for (const [name, option] of Object.entries(SERVE_OPTIONS)) {
      const row = rows.find((line) => new RegExp(`\`--${name}[ \`]`).test(line));
      expect(row, name).toBeDefined();
      // Rows of several options abbreviate the later variables: PROFILE_STORE_USERS / _ARTISTS.
      const variables = [...row!.matchAll(/`((PROFILE_STORE)?_[A-Z_]+)`/g)].map((match) => match[1]!);
      expect(variables.some((variable) => variable === option.env || (variable.startsWith("_") && option.env.endsWith(variable))), name).toBe(true);
    }
  });
});

/** Runs a command that must refuse its options; returns what it wrote to output.stderr. */
async function refused(run: (argv: string[], env: NodeJS.ProcessEnv) => Promise<number>, argv: string[], env: NodeJS.ProcessEnv = {}) {
  expect(await run(argv, env)).toBe(2);
  expect(output.stdout).toBe("");
  return output.stderr;
}

describe("serve refuses options that cannot combine, naming both", () => {
  it.each([
    [["--lfm", "dir", "--events", "10"], "--lfm and --events cannot be combined"],
    [["--lfm", "dir", "--live-rate", "5"], "--lfm and --live-rate cannot be combined"],
    [["--lfm", "dir", "--users", "5"], "--lfm and --users cannot be combined"],
    [["--lfm", "dir", "--artists", "5"], "--lfm and --artists cannot be combined"],
    [["--lfm", "dir", "--seed", "5"], "--lfm and --seed cannot be combined"],
    [["--kafka", "a:9092", "--lfm", "dir"], "--kafka and --lfm cannot be combined"],
    [["--kafka", "a:9092", "--events", "10"], "--kafka and --events cannot be combined"],
    [["--kafka", "a:9092", "--live-rate", "0"], "--kafka and --live-rate cannot be combined"],
    [["--kafka", "a:9092", "--users", "5"], "--kafka and --users cannot be combined"],
    [["--kafka", "a:9092", "--seed", "5"], "--kafka and --seed cannot be combined"],
    [["--kafka-output"], "--kafka-output needs --kafka <brokers>"],
    [["--kafka-format", "json"], "--kafka-format needs --kafka <brokers>"],
    [["--kafka", "a:9092", "--kafka-output-rate", "5"], "--kafka-output-rate needs --kafka-output"],
    [["--api-key-reads"], "--api-key-reads needs --api-key <key>"],
    [["--snapshot-interval", "5"], "--snapshot-interval needs --state-dir <dir>"],
    [["--snapshot-events", "5"], "--snapshot-events needs --state-dir <dir>"],
    [["--kafka", "a:9092", "--timestamp-unit", "s"], "Kafka Avro timestamps are epoch ms"],
    [["--headers-timeout", "20000", "--request-timeout", "10000"], "--headers-timeout must not be longer than --request-timeout, got 20000 and 10000 ms"],
  ])("%j", async (argv, message) => {
    expect(await refused(runServe, argv)).toContain(message);
  });

  it("also when the options come from the environment, naming the variables", async () => {
    const message = await refused(runServe, ["--lfm", "dir"], { PROFILE_STORE_EVENTS: "10" });
    expect(message).toContain("--lfm and PROFILE_STORE_EVENTS cannot be combined");
    output.stderr = "";
    expect(await refused(runServe, [], { PROFILE_STORE_KAFKA: "a:9092", PROFILE_STORE_LFM: "dir" })).toContain(
      "PROFILE_STORE_KAFKA and PROFILE_STORE_LFM cannot be combined",
    );
  });
});

describe("bad values", () => {
  it.each([
    [runServe, ["--port", "70000"], {}, '--port must be an integer from 0 to 65535, got "70000"'],
    [runServe, [], { PROFILE_STORE_LIVE_RATE: "fast" }, 'PROFILE_STORE_LIVE_RATE must be an integer from 0 to 1000000, got "fast"'],
    [runServe, ["--drain-seconds=-1"], {}, '--drain-seconds must be a number from 0 to 3600, got "-1"'],
    [runServe, ["--drain-seconds", "1e3"], {}, '--drain-seconds must be a number from 0 to 3600, got "1e3"'],
    [runServe, ["--allowed-hosts", "a b"], {}, '--allowed-hosts must be a comma-separated list of host names, got "a b"'],
    [runServe, [], { PROFILE_STORE_API_KEY_READS: "yes" }, 'PROFILE_STORE_API_KEY_READS must be true or false, got "yes"'],
    [runGenerate, ["--out", "x", "--events", "0"], {}, '--events must be an integer from 1 to 9007199254740991, got "0"'],
    [runGenerate, ["--out", "x", "--users", "1.5"], {}, '--users must be an integer from 1 to 4194304, got "1.5"'],
    [runProduce, ["--generate", "10", "--users", "0"], {}, '--users must be an integer from 1 to 4194304, got "0"'],
    [runProduce, ["--generate", "10", "--dropout", "1e-1"], {}, '--dropout must be a number from 0 to 1, got "1e-1"'],
  ] as const)("%o %j %j", async (run, argv, env, message) => {
    expect(await refused(run, [...argv], env)).toContain(message);
  });
});

describe("an option given twice", () => {
  it.each([
    [runServe, ["--port", "3000", "--port", "4000"], '--port is given twice ("3000" and "4000"): give it once'],
    [runServe, ["--port=3000", "--host", "127.0.0.1", "--port", "3000"], '--port is given twice ("3000" and "3000"): give it once'],
    [runServe, ["--api-key-reads", "--api-key-reads"], "--api-key-reads is given twice: give it once"],
    [runGenerate, ["--out", "a", "--out", "b"], '--out is given twice ("a" and "b"): give it once'],
  ] as const)("%o %j is refused, naming both values", async (run, argv, message) => {
    expect(await refused(run, [...argv])).toContain(message);
  });
});

describe("produce checks brokers and topics as serve does", () => {
  it.each([
    ["localhost", '"localhost"'],
    ["a:9092,b", '"a:9092,b"'],
    ["a:99999", '"a:99999"'],
  ])("brokers %s", async (list, shown) => {
    const serve = await refused(runServe, ["--kafka", list]);
    output.stderr = "";
    const produce = await refused(runProduce, ["--generate", "10", "--brokers", list]);
    expect(serve).toContain(`--kafka must be a comma-separated host:port list, got ${shown}`);
    expect(produce).toContain(`--brokers must be a comma-separated host:port list, got ${shown}`);
    output.stderr = "";
    expect(await refused(runProduce, ["--generate", "10"], { KAFKA_BROKERS: list })).toContain(`KAFKA_BROKERS must be a comma-separated host:port list, got ${shown}`);
  });

  it.each([
    ["--topic", "--kafka-events-topic"],
    ["--artists-topic", "--kafka-artists-topic"],
    ["--albums-topic", "--kafka-albums-topic"],
    ["--tracks-topic", "--kafka-tracks-topic"],
  ])("%s as %s", async (produceFlag, serveFlag) => {
    const allowed = "must be a topic name of letters, digits, '.', '_' and '-', got \"dead letters\"";
    expect(await refused(runServe, ["--kafka", "a:9092", serveFlag, "dead letters"])).toContain(`${serveFlag} ${allowed}`);
    output.stderr = "";
    expect(await refused(runProduce, ["--generate", "10", produceFlag, "dead letters"])).toContain(`${produceFlag} ${allowed}`);
  });

  it("refuses generator options with --dir, and a missing or double source", async () => {
    expect(await refused(runProduce, ["--dir", "data", "--users", "5"])).toContain("--dir and --users cannot be combined");
    output.stderr = "";
    expect(await refused(runProduce, ["--dir", "data", "--generate", "5"])).toContain("--dir and --generate cannot be combined");
    output.stderr = "";
    expect(await refused(runProduce, [])).toContain("give exactly one of --dir <dir> and --generate <n>");
  });
});

describe("unknown PROFILE_STORE_* variables", () => {
  it.each([
    [runServe, [], "PROFILE_STORE_LIVERATE", "PROFILE_STORE_LIVE_RATE"],
    [runServe, [], "PROFILE_STORE_KAFKA_EVENT_TOPIC", "PROFILE_STORE_KAFKA_EVENTS_TOPIC"],
    [runGenerate, ["--out", "x"], "PROFILE_STORE_EVENT", "PROFILE_STORE_EVENTS"],
    [runProduce, ["--generate", "10"], "PROFILE_STORE_APIKEY", "PROFILE_STORE_API_KEY"],
  ] as const)("%o %j: %s is refused, suggesting %s", async (run, argv, variable, closest) => {
    const message = await refused(run, [...argv], { [variable]: "1" });
    expect(message).toContain(`unknown environment variable ${variable} (did you mean ${closest}?)`);
  });

  it("leaves variables of the other commands alone", async () => {
    // PROFILE_STORE_OUT belongs to generate: serve does not read it, and does not refuse it. Refused
    // here for --port, so nothing starts.
    expect(await refused(runServe, ["--port", "x"], { PROFILE_STORE_OUT: "dir", OTHER_VARIABLE: "1" })).toContain("--port must be");
  });
});
