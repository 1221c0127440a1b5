// POST /events of a service without Kafka: the events are applied to this instance's store.
import type { ProfileStore } from "../profile-store.js";
import type { ListeningEvent } from "../types.js";
import type { EventSink } from "./context.js";
import type { ServiceMetrics } from "./metrics.js";

export function storeEventSink(store: ProfileStore, metrics: ServiceMetrics): EventSink {
  return {
    async write(events) {
      // Whatever the elements are, the SDK's validator checks each one: its rejections are the answer's.
      const result = store.ingest(events as ListeningEvent[]);
      metrics.countIngest("http", result);
      return result;
    },
  };
}
