// vitest globalSetup of the Kafka tests: uses KAFKA_BROKERS when set, else starts the project's own
// single-node broker (scripts/kafka/broker.sh) when java and mvn are on PATH, and stops it after.
// Without either the Kafka tests skip, unless REQUIRE_KAFKA=1 (CI), which makes this fail instead.
import { execFileSync, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";

export const BROKER_SCRIPT = fileURLToPath(new URL("../../scripts/kafka/broker.sh", import.meta.url));

declare module "vitest" {
  export interface ProvidedContext {
    /** host:port list, or "" when no broker is available and the Kafka tests skip. */
    kafkaBrokers: string;
    /** Whether the tests own the broker and may stop and start it (scripts/kafka/broker.sh). */
    kafkaBrokerOwned: boolean;
  }
}

export default function setup(project: TestProject): (() => void) | undefined {
  const external = process.env.KAFKA_BROKERS;
  if (external) {
    project.provide("kafkaBrokers", external);
    project.provide("kafkaBrokerOwned", false);
    return undefined;
  }
  if (!onPath("java") || !onPath("mvn")) {
    if (process.env.REQUIRE_KAFKA === "1") throw new Error("REQUIRE_KAFKA=1, but KAFKA_BROKERS is unset and java or mvn is missing");
    project.provide("kafkaBrokers", "");
    project.provide("kafkaBrokerOwned", false);
    return undefined;
  }
  const wasRunning = spawnSync(BROKER_SCRIPT, ["status"], { stdio: "ignore" }).status === 0;
  const brokers = execFileSync(BROKER_SCRIPT, ["start"], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim();
  project.provide("kafkaBrokers", brokers);
  project.provide("kafkaBrokerOwned", true);
  // A broker someone else started (e.g. for the benchmark) is left running.
  return wasRunning ? undefined : () => void execFileSync(BROKER_SCRIPT, ["stop"], { stdio: "inherit" });
}

function onPath(command: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" }).status === 0;
}
