/** The three item kinds a listening event points at; each has its own graph, id map and charts. */
export const FIELDS = ["ARTIST", "ALBUM", "TRACK"] as const;
export type Field = (typeof FIELDS)[number];

/** One play, as the music service emits it. Ids are non-negative safe integers; timestamp is epoch ms. */
export interface ListeningEvent {
  userId: number;
  artistId: number;
  albumId: number;
  trackId: number;
  timestamp: number;
}

/**
 * Events in columns (row i of every column is one event), the cheapest form to ingest. The one column
 * type of the project: callers may pass any array-like columns; the project's own readers, the
 * generator, the Kafka decoder and the engines' event windows use `EventBatch` (Float64Array columns,
 * timestamps in epoch ms).
 */
export interface EventColumns<Column extends ArrayLike<number> = ArrayLike<number>> {
  userId: Column;
  artistId: Column;
  albumId: Column;
  trackId: Column;
  timestamp: Column;
}

/** Columns of equal length as `Float64Array`s; its length is `userId.length`. */
export type EventBatch = EventColumns<Float64Array>;

export const EVENT_COLUMNS = ["userId", "artistId", "albumId", "trackId", "timestamp"] as const;

/** Units a caller's timestamps may be in; `auto` reads a value below 10^11 as seconds. */
export const TIMESTAMP_UNITS = ["ms", "s", "auto"] as const;
export type TimestampUnit = (typeof TIMESTAMP_UNITS)[number];

export interface Profile {
  userId: number;
  totalListenCount: number;
  firstListenEvent: number;
  lastListenEvent: number;
}

/** Listeners by their latest play, or by how much they play. */
export const LISTENER_ORDERS = ["RECENT", "MOST_ACTIVE"] as const;
export type ListenerOrder = (typeof LISTENER_ORDERS)[number];

export interface ChartEntry {
  id: number;
  countPlays: number;
  name?: string;
}

export interface Chart {
  topK: ChartEntry[];
}

/** How recommendations are computed: SALSA random walks (the seed's), or an exact three-step walk. */
export const RECOMMEND_METHODS = ["salsa", "exact"] as const;
export type RecommendMethod = (typeof RECOMMEND_METHODS)[number];

/** What an edge of the exact walk weighs: 1 per distinct (user, item) pair, or 1 per play (the graph as stored). */
export const EDGE_WEIGHTS = ["pair", "play", "log"] as const;
export type EdgeWeight = (typeof EDGE_WEIGHTS)[number];

/** Named parameter sets: `seed` (the seed's SALSA defaults) and `quality` (the best the evaluation found). */
export const PRESET_NAMES = ["seed", "quality"] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

export interface RecommendParams {
  method: RecommendMethod;
  limit: number;
  walks: number;
  walkLength: number;
  resetProbability: number;
  seed: number;
  /** Score = visits (or walk probability) / degree(item)^popularityPenalty; 0 (the seed's scoring) counts visits alone. */
  popularityPenalty: number;
  /** Exact walk: the co-listeners kept, most similar first (0 keeps every one). */
  neighbours: number;
  /** Exact walk: an item passes its weight to its listeners divided by its degree^itemExponent. */
  itemExponent: number;
  /** Exact walk: a co-listener's similarity is its weight divided by its degree^userExponent. */
  userExponent: number;
  /** Exact walk: edges read per node at most; beyond, that many are sampled at random. */
  hubCap: number;
  edgeWeight: EdgeWeight;
  /** Exact walk: 0 weighs the kept co-listeners by similarity; above 0, by the ridge regression of the user's row onto theirs with this ridge. */
  ridge: number;
}

export interface Recommendation {
  id: number;
  score: number;
  name?: string;
}

export interface Recommendations {
  recommendations: Recommendation[];
}
