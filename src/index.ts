export { ProfileStore, type EventsListener, type StoreStats } from "./profile-store.js";
export { InvalidInputError } from "./errors.js";
export type { IngestResult, Rejection } from "./events.js";
export { LIMITS, RECOMMEND_DEFAULTS, type IngestOptions, type ListenersOptions, type ProfileStoreOptions, type RecommendOptions } from "./validation.js";
export * from "./types.js";
export { loadLfm1b, readEventBatches, readItemNames, type LoadProgress, type LoadSummary } from "./ingest/lfm1b.js";
export { writeLfm1bDataset } from "./ingest/lfm1b-writer.js";
export { createGenerator, type GeneratorOptions } from "./ingest/generator.js";
