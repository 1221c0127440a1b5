// SIGTERM and SIGINT stop a service gracefully (not ready, drain, close); a second one while it stops
// exits at once, for an operator who will not wait.
import { constants } from "node:os";
import type { Service } from "./service.js";

const SIGNALS = ["SIGINT", "SIGTERM"] as const;

/** Until the service has closed, by a signal or otherwise. */
export function closeOnSignals(service: Service): void {
  const onSignal = (signal: NodeJS.Signals) => {
    if (service.closing) {
      service.app.log.warn(`${signal} received again: exiting now`);
      process.exit(128 + constants.signals[signal]);
    }
    service.app.log.info(`${signal} received: not ready, answering requests while draining, then exiting`);
    // Whoever awaits service.closed hears of a failure.
    service.close().catch(() => undefined);
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);
  const remove = () => SIGNALS.forEach((signal) => process.off(signal, onSignal));
  service.closed.then(remove, remove);
}
