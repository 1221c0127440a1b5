// Loads the kernels synchronously: the module is compiled once at import, each engine gets its own
// instance (and so its own linear memory).
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const WASM_FILE = "build/profile-store.wasm";

/** The wasm exports, as numbers in and numbers out. */
export interface KernelExports {
  memory: WebAssembly.Memory;
  eventWindow(): number;
  outputWindow(): number;
  init(chartSize: number, maxEdges: number): void;
  ingest(count: number): void;
  findUser(id: number): number;
  profile(user: number): void;
  chart(field: number, user: number, k: number): number;
  playCount(field: number, user: number, id: number): number;
  recommend(
    field: number,
    user: number,
    limit: number,
    walks: number,
    walkLength: number,
    resetThreshold: number,
    seed: number,
  ): number;
  compact(): void;
  userCount(): number;
  itemCount(field: number): number;
  edgeCount(field: number): number;
  graphBytes(field: number): number;
  userIdBytes(): number;
  chartBytes(field: number): number;
  metricsBytes(): number;
}

/** The package root holds build/; this file sits two (source) or three (dist) folders below it. */
function wasmPath(): string {
  for (const up of ["../../", "../../../"]) {
    const path = fileURLToPath(new URL(up + WASM_FILE, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new Error(`profile-store: ${WASM_FILE} not found next to the package; run "npm run build:wasm"`);
}

const kernelModule = new WebAssembly.Module(readFileSync(wasmPath()));

export function instantiateKernels(): KernelExports {
  const instance = new WebAssembly.Instance(kernelModule, {
    env: {
      abort(_message: number, _file: number, line: number, column: number) {
        throw new Error(`profile-store: wasm kernel aborted at ${line}:${column}`);
      },
    },
  });
  return instance.exports as unknown as KernelExports;
}
