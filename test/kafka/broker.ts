// The test broker, seen from the tests: its address (from the global setup) and a way to restart it.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, inject, it } from "vitest";
import { BROKER_SCRIPT } from "./global-setup.js";

const required = process.env.REQUIRE_KAFKA === "1";

export function kafkaBrokers(): string[] {
  const brokers = inject("kafkaBrokers");
  // The global setup fails first under REQUIRE_KAFKA=1; this catches a file run without it.
  if (!brokers && required) throw new Error("REQUIRE_KAFKA=1, but no broker was provided: run the Kafka tests with --project kafka");
  return brokers ? brokers.split(",") : [];
}

/** A describe that skips when no broker is available, never under REQUIRE_KAFKA=1. */
export const describeKafka = describe.skipIf(kafkaBrokers().length === 0);

/**
 * An `it` for a test that stops and starts the broker, which it can only do to the broker the tests
 * started (scripts/kafka/broker.sh), not to one named by KAFKA_BROKERS. With such a broker it skips,
 * and under REQUIRE_KAFKA=1 it fails instead, saying why.
 */
export function itRestartingBroker(name: string, test: () => Promise<void>, timeoutMs?: number): void {
  if (inject("kafkaBrokerOwned")) it(name, test, timeoutMs);
  else if (!required) it.skip(name, test);
  else {
    it(name, () => {
      throw new Error("REQUIRE_KAFKA=1, but this test restarts the broker and KAFKA_BROKERS names one it cannot restart: unset KAFKA_BROKERS");
    });
  }
}

/** Stops the broker, keeping its data; the event loop (and so the consumer) runs on meanwhile. */
export async function stopBroker(): Promise<void> {
  await promisify(execFile)(BROKER_SCRIPT, ["stop"]);
}

export async function startBroker(): Promise<void> {
  await promisify(execFile)(BROKER_SCRIPT, ["start"]);
}
