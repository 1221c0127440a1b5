// `profile-store produce` usage errors, which need no broker (the Kafka tests send real data).
import { describe, expect, it } from "vitest";
import { captureOutput } from "./helpers/output.js";
import { runProduce } from "../src/cli/produce.js";

const output = captureOutput();

describe("profile-store produce", () => {
  it("documents the seed producer's options", async () => {
    expect(await runProduce(["--help"])).toBe(0);
    for (const flag of ["--dir", "--generate", "--delay", "--realtime", "--repeat", "--dropout", "--format", "--brokers"]) {
      expect(output.stdout).toContain(flag);
    }
  });

  it.each([
    [["--generate", "10", "--dir", "data"], "--dir and --generate cannot be combined"],
    [[], "exactly one of --dir"],
    [["--generate", "0"], '--generate must be an integer from 1 to 9007199254740991, got "0"'],
    [["--generate", "10", "--format", "xml"], '--format must be one of avro, json, got "xml"'],
    [["--generate", "10", "--dropout", "1.5"], "--dropout must be a number from 0 to 1"],
    [["--generate", "10", "--delay=-1"], "--delay must be a number from 0"],
    [["--generate", "10", "--bogus"], "Unknown option '--bogus'"],
  ])("exits 2 and names the problem for %j", async (argv, message) => {
    expect(await runProduce(argv, {})).toBe(2);
    expect(output.stderr).toContain(message);
  });

  it("checks the folder before it asks a broker for anything", async () => {
    // No broker listens on port 1: the folder's error comes first, at once.
    expect(await runProduce(["--dir", "/nonexistent-lfm-folder", "--brokers", "127.0.0.1:1"], {})).toBe(1);
    expect(output.stderr).toContain("cannot read the LFM-1b directory /nonexistent-lfm-folder: ENOENT");
  });
});
