// Freshness: how long after it was produced (the record's timestamp) an event became visible in the
// store. Kept as a histogram with 5% wide buckets, so recording is a logarithm and an increment.

const GROWTH = 1.05;
const LOG_GROWTH = Math.log(GROWTH);
/** 1.05^400 ms is about 3.5 days; anything older counts in the last bucket. */
const BUCKETS = 400;

export interface FreshnessSummary {
  /** Events observed in the window. */
  count: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Freshness over a sliding window: the current period and the one before it. */
export class FreshnessWindow {
  private current = new Float64Array(BUCKETS);
  private previous = new Float64Array(BUCKETS);
  private currentMax = 0;
  private previousMax = 0;
  private periodStart = 0;

  constructor(private readonly periodMs = 60_000) {}

  /** Starts a new period when the current one is over; call before observing at time `now`. */
  advance(now: number): void {
    if (now - this.periodStart < this.periodMs) return;
    [this.previous, this.current] = [this.current, this.previous];
    this.current.fill(0);
    this.previousMax = this.currentMax;
    this.currentMax = 0;
    this.periodStart = now;
  }

  observe(ms: number): void {
    const bucket = ms <= 1 ? 0 : Math.min(BUCKETS - 1, Math.ceil(Math.log(ms) / LOG_GROWTH));
    this.current[bucket]++;
    if (ms > this.currentMax) this.currentMax = ms;
  }

  summary(): FreshnessSummary {
    let count = 0;
    for (let i = 0; i < BUCKETS; i++) count += this.current[i] + this.previous[i];
    return {
      count,
      p50Ms: this.quantile(0.5, count),
      p99Ms: this.quantile(0.99, count),
      maxMs: Math.max(this.currentMax, this.previousMax),
    };
  }

  /** The upper bound of the bucket holding the q-quantile: at most 5% above the true value. */
  private quantile(q: number, count: number): number {
    if (count === 0) return 0;
    const rank = Math.ceil(q * count);
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.current[i] + this.previous[i];
      if (seen >= rank) return Math.round(GROWTH ** i);
    }
    return Math.round(GROWTH ** (BUCKETS - 1));
  }
}
