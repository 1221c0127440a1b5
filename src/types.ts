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

/** A batch of events in columns (one entry per event in each column), the cheapest form to ingest. */
export interface EventColumns {
  userId: ArrayLike<number>;
  artistId: ArrayLike<number>;
  albumId: ArrayLike<number>;
  trackId: ArrayLike<number>;
  timestamp: ArrayLike<number>;
}

export type TimestampUnit = "ms" | "s" | "auto";

export interface Profile {
  userId: number;
  totalListenCount: number;
  firstListenEvent: number;
  lastListenEvent: number;
}

export interface ChartEntry {
  id: number;
  countPlays: number;
  name?: string;
}

export interface Chart {
  topK: ChartEntry[];
}

export interface RecommendParams {
  limit: number;
  walks: number;
  walkLength: number;
  resetProbability: number;
  seed: number;
}

export interface Recommendation {
  id: number;
  score: number;
  name?: string;
}

export interface Recommendations {
  recommendations: Recommendation[];
}
