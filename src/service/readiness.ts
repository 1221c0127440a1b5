// Whether this instance should get traffic, as /readyz tells a load balancer: "loading" until its
// data source is in, "ready", and "stopping" from the moment shutdown begins (before the drain, so
// that traffic moves elsewhere while requests are still answered). Kafka adds a problem of its own.
import type { Readiness, ServiceState } from "../http/context.js";

export class ServiceReadiness implements Readiness {
  state: ServiceState = "loading";
  sourceProblem?: () => string | undefined;
  sourceLag?: () => number;
  /** Resolves when the data source is in; rejects when loading it failed or was stopped. */
  readonly loaded: Promise<void>;
  private resolve!: () => void;
  private reject!: (error: unknown) => void;
  private everReady = false;

  constructor() {
    this.loaded = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    // Callers need not wait for it: a failed load is logged by the service.
    this.loaded.catch(() => undefined);
  }

  /** The data source is in; ready unless shutdown has begun meanwhile. */
  markLoaded(): void {
    if (this.state === "loading") {
      this.state = "ready";
      this.everReady = true;
    }
    this.resolve();
  }

  markFailed(error: unknown): void {
    this.reject(error);
  }

  /** Shutdown began: not ready from now on. */
  markStopping(): void {
    this.state = "stopping";
  }

  /** Whether a load balancer may have sent traffic here, so that stopping should drain. */
  get wasReady(): boolean {
    return this.everReady;
  }
}
