// `profile-store serve` in a child process, as a user runs it, with its JSON log lines to wait on.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { afterAll } from "vitest";

/** Node arguments that run `profile-store serve` from the sources. */
export const SERVE_CLI = ["--import", "tsx", "src/cli/main.ts", "serve"];
const running: ChildProcess[] = [];
afterAll(() => running.forEach((child) => child.exitCode === null && child.kill("SIGKILL")));

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  /** Resolves when a log line's message contains `text`. */
  logged(text: string): Promise<void>;
  exited: Promise<number | null>;
  /** What it wrote to stderr so far. */
  stderr(): string;
}

export function runServeCli(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [...SERVE_CLI, ...args], { encoding: "utf8", env: { ...process.env, ...env } });
}

/**
 * Starts the service on a free port, without a drain unless `args` ask for one (serve refuses a flag
 * given twice, so a default is added only where `args` lack it); resolves once a log message
 * contains `until`.
 */
export async function startServeCli(args: string[], until: string): Promise<ServeProcess> {
  const defaults = [["--port", "0"], ["--drain-seconds", "0"]].filter(([flag]) => !args.includes(flag!)).flat() as string[];
  const child = spawn(process.execPath, [...SERVE_CLI, ...defaults, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  running.push(child);
  const messages: string[] = [];
  const waiters: Array<{ text: string; resolve: () => void }> = [];
  createInterface({ input: child.stdout! }).on("line", (line) => {
    const message = String(JSON.parse(line).msg);
    messages.push(message);
    for (const waiter of waiters) if (message.includes(waiter.text)) waiter.resolve();
  });
  const logged = (text: string) =>
    new Promise<void>((resolve) => (messages.some((m) => m.includes(text)) ? resolve() : waiters.push({ text, resolve })));
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, "exit").then(([code]) => code as number | null);
  await Promise.race([logged(until), exited.then((code) => Promise.reject(new Error(`serve exited with ${code}`)))]);
  const url = messages.map((m) => /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(m)?.[1]).find(Boolean)!;
  return { child, url, logged, exited, stderr: () => stderr };
}
