// Tests that inspect a store's graph reach its engine here, in one place, instead of widening the SDK.
import type { Engine } from "../../src/engine/engine.js";
import type { ProfileStore } from "../../src/index.js";

export function engineOf(store: ProfileStore): Engine {
  return (store as unknown as { engine: Engine }).engine;
}
