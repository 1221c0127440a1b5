export { ProfileStore, type StoreStats } from "./profile-store.js";
export { InvalidInputError } from "./errors.js";
export type { IngestResult, Rejection } from "./events.js";
export { LIMITS, RECOMMEND_DEFAULTS, type ProfileStoreOptions, type RecommendOptions } from "./validation.js";
export * from "./types.js";
