import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../src/cli/commands.js";
import { runGenerate } from "../src/cli/generate.js";
import { captureOutput } from "./helpers/output.js";

const output = captureOutput();

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cli-generate-test-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function lineCount(path: string): Promise<number> {
  return (await readFile(path, "utf8")).split("\n").length - 1;
}

describe("profile-store generate --help", () => {
  it("lists every option with its default and environment variable", async () => {
    expect(await runGenerate(["--help"], {})).toBe(0);
    for (const line of [
      /--out <dir> .*required; env PROFILE_STORE_OUT/,
      /--events <n> .*default 1000000; env PROFILE_STORE_EVENTS/,
      /--users <n> .*default 1000; env PROFILE_STORE_USERS/,
      /--artists <n> .*default 5000; env PROFILE_STORE_ARTISTS/,
      /--seed <n> .*default 1; env PROFILE_STORE_SEED/,
      /-h, --help/,
    ]) {
      expect(output.stdout).toMatch(line);
    }
    expect(output.stderr).toBe("");
  });
});

describe("profile-store generate usage errors", () => {
  it.each([
    [["--out", "x", "--events", "abc"], {}, '--events must be an integer from 1 to 9007199254740991, got "abc"'],
    [["--out", "x", "--events", "0"], {}, '--events must be an integer from 1 to 9007199254740991, got "0"'],
    [["--out", "x", "--users", "-5"], {}, "--users"],
    [["--out", "x", "--users", "1.5"], {}, '--users must be an integer from 1 to 4194304, got "1.5"'],
    [["--out", "x", "--artists", "99999999"], {}, '--artists must be an integer from 1 to 4194304, got "99999999"'],
    [["--out", "x", "--seed", "x1"], {}, '--seed must be an integer from 0 to 4294967295, got "x1"'],
    [["--out", "x"], { PROFILE_STORE_EVENTS: "lots" }, 'PROFILE_STORE_EVENTS must be an integer from 1 to 9007199254740991, got "lots"'],
    [["--events", "10"], {}, "--out <dir> is required"],
    [["--out", "x", "--bogus"], {}, "--bogus"],
    [["--out", "x", "extra"], {}, "extra"],
  ])("%j with env %j fails with exit code 2", async (argv, env, message) => {
    expect(await runGenerate(argv, env)).toBe(2);
    expect(output.stderr).toContain(message);
    expect(output.stderr).toContain("--help");
    expect(output.stdout).toBe("");
  });
});

describe("profile-store generate", () => {
  it("writes the data set, reporting progress and a summary", async () => {
    const out = join(dir, "flags");
    const argv = ["--out", out, "--events", "3000", "--users", "40", "--artists", "80", "--seed", "7"];
    expect(await runGenerate(argv, {})).toBe(0);
    expect((await readdir(out)).sort()).toEqual([
      "LFM-1b_LEs.txt",
      "LFM-1b_albums.txt",
      "LFM-1b_artists.txt",
      "LFM-1b_tracks.txt",
    ]);
    expect(await lineCount(join(out, "LFM-1b_LEs.txt"))).toBe(3000);
    expect(await lineCount(join(out, "LFM-1b_artists.txt"))).toBe(80);
    expect(output.stdout).toMatch(new RegExp(`^Wrote 3000 events of 40 users, 80 artists, \\d+ albums, \\d+ tracks to ${out} in`));
    if (!process.stderr.isTTY) expect(output.stderr).toContain("generate: 100% (3000/3000 events)");
  });

  it("takes options from the environment, flags winning", async () => {
    const out = join(dir, "env");
    const env = { PROFILE_STORE_OUT: out, PROFILE_STORE_EVENTS: "500", PROFILE_STORE_ARTISTS: "30", PROFILE_STORE_USERS: "" };
    expect(await runGenerate(["--events", "700"], env)).toBe(0);
    expect(await lineCount(join(out, "LFM-1b_LEs.txt"))).toBe(700);
    expect(await lineCount(join(out, "LFM-1b_artists.txt"))).toBe(30);
    expect(output.stdout).toContain("of 1000 users");
  });

  it("writes the same files for the same seed", async () => {
    const write = async (name: string, seed: string) => {
      const out = join(dir, name);
      expect(await runGenerate(["--out", out, "--events", "1000", "--users", "20", "--seed", seed], {})).toBe(0);
      return readFile(join(out, "LFM-1b_LEs.txt"), "utf8");
    };
    const first = await write("seed-a", "3");
    expect(await write("seed-b", "3")).toBe(first);
    expect(await write("seed-c", "4")).not.toBe(first);
  });

  it("fails with exit code 1 when the directory cannot be made", async () => {
    const notADirectory = join(dir, "flags", "LFM-1b_LEs.txt", "sub");
    expect(await runGenerate(["--out", notADirectory, "--events", "10"], {})).toBe(1);
    expect(output.stderr).toMatch(/profile-store generate: ENOTDIR/);
  });
});

describe("profile-store", () => {
  it("lists its commands on --help", async () => {
    expect(await runCli(["--help"])).toBe(0);
    expect(output.stdout).toMatch(/Usage: profile-store <command>/);
    expect(output.stdout).toMatch(/^ {2}generate +write a synthetic LFM-1b-like data set$/m);
  });

  it("fails with exit code 2 on an unknown or missing command", async () => {
    expect(await runCli(["frobnicate"])).toBe(2);
    expect(output.stderr).toContain('unknown command "frobnicate"');
    expect(output.stderr).toContain("generate");
    expect(await runCli(["toString"])).toBe(2);
    expect(await runCli([])).toBe(2);
    expect(output.stderr).toContain("missing command");
  });

  it("hands the remaining arguments to the command", async () => {
    expect(await runCli(["generate", "--help"])).toBe(0);
    expect(output.stdout).toContain("Usage: profile-store generate");
  });
});
