// Sizes shared by the AssemblyScript kernels and the TypeScript host, so the two cannot drift.
// Plain untyped literals: AssemblyScript reads them as i32, TypeScript as number.

/** Events per call of the ingest kernel: the host streams longer batches through this window. */
export const EVENT_WINDOW = 65536;
/** Rows in the output window (recommendations or chart entries). */
export const OUTPUT_ROWS = 4096;
/** Largest chart size (K) a store may keep. */
export const MAX_CHART_SIZE = 1000;
/** Largest number of walkers one SALSA request may start. */
export const MAX_WALKS = 100000;
/** Most co-listeners one exact walk keeps. */
export const MAX_NEIGHBOURS = 1000;
/** Most edges an exact walk reads of one node (beyond, it samples that many). */
export const MAX_HUB_CAP = 10000;
/** Most co-listeners an exact walk with a ridge keeps (it solves a system of this many unknowns). */
export const MAX_RIDGE_NEIGHBOURS = 250;
/** Most co-listener edges an exact walk with a ridge keeps at once: neighbours x hubCap at most this. */
export const MAX_RIDGE_ENTRIES = 75000;
/** The exact walk's edge weightings, as the kernels take them (EDGE_WEIGHTS in src/types.ts names them):
 *  1 per distinct user-item pair, its plays, or ln(1 + its plays). */
export const WEIGHT_PAIR = 0;
export const WEIGHT_PLAY = 1;
export const WEIGHT_LOG = 2;
/** A bounded graph keeps its edges in this many time segments and drops the oldest whole. */
export const SEGMENTS = 4;
/** Fields in the order of the graph handles: ARTIST, ALBUM, TRACK. */
export const FIELD_COUNT = 3;
