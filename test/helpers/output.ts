// What a command run in process writes to stdout and stderr, captured per test.
import { afterEach, beforeEach, vi } from "vitest";

export interface CapturedOutput {
  stdout: string;
  stderr: string;
}

/** For the enclosing suite (or file): each test starts with empty captures, read through the returned object. */
export function captureOutput(): CapturedOutput {
  const output: CapturedOutput = { stdout: "", stderr: "" };
  beforeEach(() => {
    output.stdout = "";
    output.stderr = "";
    vi.spyOn(process.stdout, "write").mockImplementation((chunk) => ((output.stdout += String(chunk)), true));
    vi.spyOn(process.stderr, "write").mockImplementation((chunk) => ((output.stderr += String(chunk)), true));
  });
  afterEach(() => vi.restoreAllMocks());
  return output;
}
