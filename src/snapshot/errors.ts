// Why a snapshot was refused. A refused snapshot is never partly applied: the caller gets no store.

export const SNAPSHOT_REFUSALS = {
  unreadable: "unreadable",
  "not-a-snapshot": "not a profile-store snapshot",
  "format-version": "another snapshot format version",
  truncated: "truncated",
  corrupt: "corrupt",
  build: "written by another engine build",
  engine: "of another engine",
  options: "taken with other store options",
  source: "taken from another data source",
} as const;

export type SnapshotRefusal = keyof typeof SNAPSHOT_REFUSALS;

/** A snapshot file that cannot be restored; `reason` says which check failed, the message how. */
export class SnapshotError extends Error {
  override readonly name = "SnapshotError";

  constructor(
    readonly reason: SnapshotRefusal,
    readonly path: string,
    detail: string,
  ) {
    super(`snapshot ${path} is ${SNAPSHOT_REFUSALS[reason]}: ${detail}`);
  }
}
