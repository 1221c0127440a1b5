// Which Engine a store runs, new or restored from a snapshot: the wasm kernels (the default) or the
// plain-TypeScript reference.
import type { Engine, EngineOptions, StoredImage } from "./engine.js";
import { WasmEngine } from "./wasm-engine.js";
import { KERNEL_BUILD } from "./wasm-loader.js";
import { REFERENCE_BUILD, ReferenceEngine } from "../reference/reference-engine.js";

export type EngineKind = Engine["kind"];

/** What wrote an engine's state: a snapshot restores only into the same build. */
export const ENGINE_BUILDS: Record<EngineKind, string> = { wasm: KERNEL_BUILD, reference: REFERENCE_BUILD };

export function createEngine(kind: EngineKind, options: EngineOptions): Engine {
  return kind === "wasm" ? new WasmEngine(options) : new ReferenceEngine(options);
}

export function restoreEngine(kind: EngineKind, options: EngineOptions, image: StoredImage): Promise<Engine> {
  return kind === "wasm" ? WasmEngine.restore(options, image) : ReferenceEngine.restore(options, image);
}
