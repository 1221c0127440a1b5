// What a store's snapshot header says about the engine, and whether a store with given options may
// restore it: the same engine kind and build, and the same options that shape the state.
import { ENGINE_BUILDS, type EngineKind } from "../engine/engines.js";
import { SnapshotError } from "./errors.js";
import type { SnapshotHeader } from "./format.js";

/** The store options a snapshot's state depends on. */
export interface StateShape {
  engine: EngineKind;
  chartSize: number;
  maxEdgesPerGraph: number;
}

/** Throws the SnapshotError of the first difference between the snapshot and the restoring store. */
export function checkRestorable(header: SnapshotHeader, shape: StateShape, path: string): void {
  const { kind, build, chartSize, maxEdgesPerGraph } = header.engine;
  if (kind !== shape.engine) throw new SnapshotError("engine", path, `it holds the ${kind} engine's state; this store's engine is ${shape.engine}`);
  const ours = ENGINE_BUILDS[kind];
  if (build !== ours) throw new SnapshotError("build", path, `it was written by ${build}; this is ${ours}, and a snapshot restores only into the build that wrote it`);
  const theirs = { chartSize, maxEdgesPerGraph };
  for (const option of ["chartSize", "maxEdgesPerGraph"] as const) {
    if (theirs[option] !== shape[option]) throw new SnapshotError("options", path, `it was taken with ${option} ${theirs[option]}; this store's ${option} is ${shape[option]}`);
  }
}
