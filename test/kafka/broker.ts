// The test broker, seen from the tests: its address (from the global setup) and a way to restart it.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, inject } from "vitest";
import { BROKER_SCRIPT } from "./global-setup.js";

export function kafkaBrokers(): string[] {
  const brokers = inject("kafkaBrokers");
  return brokers ? brokers.split(",") : [];
}

/** A describe that skips when no broker is available (the global setup fails instead under REQUIRE_KAFKA=1). */
export const describeKafka = describe.skipIf(kafkaBrokers().length === 0);

/** Whether the tests may stop and start the broker (not when it came from KAFKA_BROKERS). */
export function brokerOwned(): boolean {
  return inject("kafkaBrokerOwned");
}

/** Stops the broker, keeping its data; the event loop (and so the consumer) runs on meanwhile. */
export async function stopBroker(): Promise<void> {
  await promisify(execFile)(BROKER_SCRIPT, ["stop"]);
}

export async function startBroker(): Promise<void> {
  await promisify(execFile)(BROKER_SCRIPT, ["start"]);
}
