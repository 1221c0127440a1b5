// Preloaded into `profile-store serve` (NODE_OPTIONS="--import <this file>") by serve.test.ts: it
// terminates every Kafka consumer worker thread from outside as soon as that worker consumes, as a
// crash would end it, so that the service runs with its worker dead or being replaced. Plain
// JavaScript: it loads before tsx does.
import { syncBuiltinESMExports } from "node:module";
import workerThreads from "node:worker_threads";

const { Worker } = workerThreads;
workerThreads.Worker = class extends Worker {
  constructor(script, options) {
    super(script, options);
    if (!String(script).includes("consumer-worker")) return;
    this.on("message", (message) => {
      if (message?.type === "started") void this.terminate();
    });
  }
};
// `import { Worker } from "node:worker_threads"` elsewhere now finds the class above.
syncBuiltinESMExports();
