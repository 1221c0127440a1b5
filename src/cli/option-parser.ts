// The machinery behind the option table (options.ts): kinds of values, reading flags and environment
// variables, checking combinations, and writing --help, the same way for every command.
import { parseArgs } from "node:util";
import { asciiUpperCase } from "../validation.js";
import { UsageError, fromEnv } from "./usage.js";

export interface Option<T = unknown> {
  /** The variable read when the flag is absent (flags win). */
  env?: string;
  /** The value's placeholder in --help, e.g. "<port>"; absent for a flag that takes none (its variable is "true" or "false"). */
  value?: string;
  help: string;
  /** What a valid value is, for errors: "<source> must be <allowed>". */
  allowed: string;
  parse(text: string): T | undefined;
  default?: T;
  /** The default as --help tells it, where the value alone would not tell the truth. */
  defaultText?: string;
  required?: boolean;
  /** An option without which this one would do nothing. */
  needs?: string;
  /** Options this one cannot be combined with, and why. */
  conflicts?: { options: readonly string[]; because: string };
  /** The heading it is listed under in --help. */
  section?: string;
}

type Spec<T> = Omit<Option<T>, "allowed" | "parse">;

export type OptionTable = Record<string, Option<any>>;

/** Each option's value: its type, or undefined where it has neither a default nor is required. */
export type OptionValues<Table extends OptionTable> = {
  [K in keyof Table]: Table[K] extends Option<infer T> ? (Table[K] extends { default: {} } | { required: true } ? T : T | undefined) : never;
};

// Kinds of values. Each builder returns its spec as given (so that the values' types know which
// options have defaults) with the parser and the description of what it allows.

export function integer<const S extends Spec<number> & { min: number; max: number }>(spec: S): S & Option<number> {
  const { min, max } = spec;
  return { ...spec, allowed: `an integer from ${min} to ${max}`, parse: (text) => (/^\d+$/.test(text) && +text >= min && +text <= max ? +text : undefined) };
}

/** A decimal number such as 0.5: digits, an optional fraction, nothing else. */
export function decimal<const S extends Spec<number> & { min: number; max: number }>(spec: S): S & Option<number> {
  const { min, max } = spec;
  return { ...spec, allowed: `a number from ${min} to ${max}`, parse: (text) => (/^\d+(\.\d+)?$/.test(text) && +text >= min && +text <= max ? +text : undefined) };
}

/** One of `choices`, in any case of its ASCII letters (as REST takes them): `track` is TRACK. */
export function choice<const C extends readonly string[], const S extends Spec<C[number]>>(choices: C, spec: S): S & Option<C[number]> {
  return { ...spec, allowed: `one of ${choices.join(", ")}`, parse: (text) => choices.find((name) => asciiUpperCase(name) === asciiUpperCase(text)) };
}

/** Any non-empty text, e.g. a directory or a host. */
export function text<const S extends Spec<string>>(allowed: string, spec: S): S & Option<string> {
  return { ...spec, allowed, parse: (value) => (value === "" ? undefined : value) };
}

/** A flag without a value; false unless given (its variable is "true" or "false"). */
export function flag<const S extends Omit<Spec<boolean>, "value" | "default">>(spec: S): S & Option<boolean> & { default: false } {
  return { ...spec, default: false, allowed: "true or false", parse: (value) => (value === "true" ? true : value === "false" ? false : undefined) };
}

/** host:port,... of Kafka brokers. */
export function brokers<S extends Spec<string[]>>(spec: S): S & Option<string[]> {
  return {
    ...spec,
    allowed: "a comma-separated host:port list",
    parse: (value) => {
      const list = value.split(",").map((broker) => broker.trim());
      return list.every((broker) => /^[^\s:]+:\d{1,5}$/.test(broker) && +broker.split(":")[1]! <= 65535) ? list : undefined;
    },
  };
}

/** Kafka's own rule for topic names, so that a typo fails here and not in the broker's answer. */
export function topic<const S extends Spec<string>>(spec: S): S & Option<string> {
  return { ...spec, allowed: "a topic name of letters, digits, '.', '_' and '-'", parse: (value) => (/^[\w.-]{1,249}$/.test(value) ? value : undefined) };
}

/** An http(s) URL. */
export function httpUrl<const S extends Spec<string>>(spec: S): S & Option<string> {
  return { ...spec, allowed: "an http:// or https:// URL", parse: (value) => (/^https?:\/\/[^\s/]+(\/\S*)?$/.test(value) ? value.replace(/\/+$/, "") : undefined) };
}

/** A comma-separated list of host names or addresses. */
export function hostList<S extends Spec<string[]>>(spec: S): S & Option<string[]> {
  return {
    ...spec,
    allowed: "a comma-separated list of host names",
    parse: (value) => {
      const list = value.split(",").map((host) => host.trim());
      return list.every((host) => /^[\w.:[\]-]+$/.test(host)) ? list : undefined;
    },
  };
}

/** A comma-separated list of some of `choices`, in the order given, each at most once. */
export function choiceList<const C extends readonly string[], const S extends Spec<Array<C[number]>>>(choices: C, spec: S): S & Option<Array<C[number]>> {
  return {
    ...spec,
    allowed: `a comma-separated list of ${choices.join(", ")}`,
    parse: (value) => {
      const list = value.split(",").map((name) => name.trim());
      return list.every((name) => choices.includes(name)) && new Set(list).size === list.length ? list : undefined;
    },
  };
}

/** The same option without its environment variable (a command that reads no variables for it). */
export function withoutEnv<O extends Option<any>>(option: O): O {
  const { env: _env, ...rest } = option;
  return rest as O;
}

/**
 * Reads the command's options: each flag, else its non-empty variable, else its default. Refuses
 * unknown flags, bad values, missing required options, options missing what they need and options
 * that cannot be combined; each message names the flag or variable at fault. Also refuses a
 * PROFILE_STORE_* variable that no command knows, suggesting the closest known one.
 */
export function readOptions<Table extends OptionTable>(
  table: Table,
  argv: string[],
  env: NodeJS.ProcessEnv,
  knownVariables: ReadonlySet<string>,
): OptionValues<Table> | "help" {
  const { values, tokens } = parseArgs({
    args: argv,
    tokens: true,
    options: {
      ...Object.fromEntries(Object.entries(table).map(([name, o]) => [name, { type: o.value ? ("string" as const) : ("boolean" as const) }])),
      help: { type: "boolean", short: "h" },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return "help";
  checkRepeats(tokens);
  checkVariables(env, knownVariables);
  /** Text for an option with a value, true for one without. */
  const flags = values as Record<string, string | true | undefined>;
  const read: Record<string, unknown> = {};
  /** Where each option that asks for something was given: "--name" or its variable. */
  const given = new Map<string, string>();
  for (const [name, option] of Object.entries(table)) {
    const flagValue = flags[name];
    const text = flagValue === true ? "true" : (flagValue ?? (option.env ? fromEnv(env, option.env) : undefined));
    if (text === undefined) {
      if (option.required) throw new UsageError(`${usage(name, option)} is required${option.env ? ` (or set ${option.env})` : ""}`);
      read[name] = option.default;
      continue;
    }
    const source = flagValue === undefined ? option.env! : `--${name}`;
    const value = option.parse(text);
    if (value === undefined) throw new UsageError(`${source} must be ${option.allowed}, got "${text}"`);
    read[name] = value;
    if (value !== false) given.set(name, source);
  }
  checkCombinations(table, given);
  return read as OptionValues<Table>;
}

function checkCombinations(table: OptionTable, given: Map<string, string>): void {
  for (const [name, source] of given) {
    const { needs, conflicts } = table[name]!;
    if (needs !== undefined && !given.has(needs)) throw new UsageError(`${source} needs ${usage(needs, table[needs]!)}`);
    const other = conflicts?.options.find((option) => given.has(option));
    if (other !== undefined) throw new UsageError(`${source} and ${given.get(other)} cannot be combined: ${conflicts!.because}`);
  }
}

/** parseArgs keeps an option's last value: a second one is more likely a mistake than a correction. */
function checkRepeats(tokens: ReturnType<typeof parseArgs>["tokens"] = []): void {
  const seen = new Map<string, string | undefined>();
  for (const token of tokens) {
    if (token.kind !== "option") continue;
    if (seen.has(token.name)) {
      const values = [seen.get(token.name), token.value].filter((value) => value !== undefined);
      throw new UsageError(`${token.rawName} is given twice${values.length ? ` (${values.map((v) => `"${v}"`).join(" and ")})` : ""}: give it once`);
    }
    seen.set(token.name, token.value);
  }
}

/** A typo in a variable's name would otherwise be silently ignored. */
function checkVariables(env: NodeJS.ProcessEnv, known: ReadonlySet<string>): void {
  for (const [variable, value] of Object.entries(env)) {
    if (!variable.startsWith("PROFILE_STORE_") || known.has(variable) || !value) continue;
    const closest = [...known].sort((a, b) => editDistance(variable, a) - editDistance(variable, b))[0];
    throw new UsageError(`unknown environment variable ${variable}${closest ? ` (did you mean ${closest}?)` : ""}`);
  }
}

/** Levenshtein distance: insertions, deletions and substitutions. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

function usage(name: string, option: Option<any>): string {
  return `--${name} ${option.value ?? ""}`.trimEnd();
}

/** The options part of --help: one line per option with its default and variable, under its section's heading. */
export function optionsHelp(table: OptionTable): string {
  const width = Math.max(...Object.entries(table).map(([name, option]) => usage(name, option).length)) + 2;
  const sections = new Map<string, string[]>();
  for (const [name, option] of Object.entries(table)) {
    const notes = [defaultNote(option), option.env && `env ${option.env}`].filter(Boolean).join("; ");
    const line = `  ${usage(name, option).padEnd(width)}${option.help}${notes ? ` (${notes})` : ""}`;
    const heading = option.section ?? "Options";
    sections.set(heading, [...(sections.get(heading) ?? []), line]);
  }
  const help = `  ${"-h, --help".padEnd(width)}show this help`;
  return [...sections].map(([heading, lines]) => `${heading}:\n${lines.join("\n")}`).join("\n\n") + `\n${help}\n`;
}

function defaultNote(option: Option<any>): string | undefined {
  if (option.required) return "required";
  if (option.defaultText !== undefined) return `default ${option.defaultText}`;
  if (option.default === undefined) return undefined;
  return `default ${Array.isArray(option.default) ? option.default.join(",") : option.default}`;
}
