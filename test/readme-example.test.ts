// The README's SDK example is examples/quickstart.ts, verbatim, and it runs against the built package.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

describe("README example", () => {
  const example = readFileSync("examples/quickstart.ts", "utf8");

  it("is in the README verbatim", () => {
    expect(readFileSync("README.md", "utf8")).toContain(example.trim());
  });

  it("runs and prints what its comments say", () => {
    const output = execFileSync(process.execPath, ["--import", "tsx", "examples/quickstart.ts"], { encoding: "utf8" });
    expect(output).toContain("5 1 artistId must be an integer between 0 and 2^53-1, got -1");
    expect(output).toContain("totalListenCount: 3");
    expect(output).toContain("{ id: 10, countPlays: 2, name: 'Radiohead' }");
    expect(output).toMatch(/\[ \{ id: 30, score: \d+, name: 'Massive Attack' \} \]/);
  });
});

describe("CI", () => {
  it("type-checks, then runs the README's test command", () => {
    const readme = readFileSync("README.md", "utf8");
    const testCommand = /^(\S.*?)\s+# builds, then runs the whole test suite$/m.exec(readme)?.[1];
    expect(testCommand, "the README's test command").toBeDefined();
    const commands = readFileSync(".ci/run", "utf8")
      .split("\n")
      .filter((line) => /^npm /.test(line));
    expect(commands).toEqual(["npm ci --no-audit --no-fund", "npm run typecheck", testCommand]);
  });
});
