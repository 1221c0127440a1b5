// The service: events per second ingested (from successive polls of serviceStatus' accepted count,
// every 2 s, drawn with uPlot over the last 5 minutes), listeners, graph sizes, readiness, Kafka lag.
import uPlot from "uplot";
import { ServiceStatusDocument, type ServiceStatusQuery } from "../src/client/documents.js";
import { missingField, type Api } from "./api.js";
import { byId, el, formatCount } from "./dom.js";

export const POLL_MS = 2000;
const KEPT = (5 * 60 * 1000) / POLL_MS;

type Status = ServiceStatusQuery["serviceStatus"];

export class ServiceView {
  private readonly times: number[] = [];
  private readonly rates: number[] = [];
  private last?: { at: number; accepted: number };
  private plot?: uPlot;
  /** Quick's gateway has no serviceStatus: the panel says so and the poll only checks reachability. */
  available = true;

  constructor(private readonly api: () => Api) {}

  /** One poll; throws UnreachableError when the service does not answer. */
  async poll(): Promise<void> {
    if (!this.available) {
      await this.api().request("{ __typename }");
      return;
    }
    try {
      const { serviceStatus } = await this.api().request(ServiceStatusDocument);
      this.record(serviceStatus);
      this.render(serviceStatus);
    } catch (error) {
      if (!missingField(error)) throw error;
      this.available = false;
      byId("service-facts").replaceChildren(el("p", { class: "empty" }, "This gateway does not offer serviceStatus."));
    }
  }

  /** A new service (or the same one restarted): rates restart from its counter. */
  reset(): void {
    this.last = undefined;
    this.available = true;
  }

  private record(status: Status): void {
    const at = Date.now();
    if (this.last && status.eventsAccepted >= this.last.accepted) {
      this.times.push(at / 1000);
      this.rates.push((status.eventsAccepted - this.last.accepted) / ((at - this.last.at) / 1000));
      if (this.times.length > KEPT) {
        this.times.shift();
        this.rates.shift();
      }
    }
    this.last = { at, accepted: status.eventsAccepted };
  }

  private render(status: Status): void {
    const rate = this.rates.at(-1);
    const fact = (term: string, value: string, name: string) => [el("dt", {}, term), el("dd", { "data-fact": name }, value)];
    byId("service-facts").replaceChildren(
      el(
        "dl",
        { class: "facts" },
        ...fact("Events/s", rate === undefined ? "…" : formatCount(Math.round(rate)), "rate"),
        ...fact("Listeners", formatCount(status.listeners), "listeners"),
        ...fact("Events", formatCount(status.eventsAccepted), "accepted"),
        ...fact("Ready", status.ready ? "yes" : "no", "ready"),
        ...(status.kafkaLag == null ? [] : fact("Kafka lag", `${formatCount(status.kafkaLag)} records`, "lag")),
      ),
      el(
        "table",
        { class: "graphs" },
        el("caption", {}, "Graph sizes"),
        el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Field"), el("th", { scope: "col" }, "Items"), el("th", { scope: "col" }, "Edges"))),
        el("tbody", {}, ...status.graphs.map((g) => el("tr", {}, el("th", { scope: "row" }, g.field.toLowerCase()), el("td", {}, formatCount(g.items)), el("td", {}, formatCount(g.edges))))),
      ),
    );
    this.draw();
  }

  private draw(): void {
    const box = byId("rate-chart");
    const summary = this.rates.length === 0 ? "no rate yet" : `now ${Math.round(this.rates.at(-1)!)}, lowest ${Math.round(Math.min(...this.rates))}, highest ${Math.round(Math.max(...this.rates))}`;
    box.setAttribute("aria-label", `Events ingested per second over the last ${Math.ceil((this.rates.length * POLL_MS) / 60000)} min: ${summary}`);
    const data: uPlot.AlignedData = [this.times, this.rates];
    if (this.plot) {
      this.plot.setData(data);
      return;
    }
    this.plot = new uPlot(
      {
        width: Math.max(200, box.clientWidth),
        height: 110,
        legend: { show: false },
        cursor: { show: false },
        scales: { y: { range: (_u, _min, max) => [0, Math.max(10, max * 1.1)] } },
        axes: [{ size: 24, font: "11px system-ui" }, { size: 44, font: "11px system-ui" }],
        series: [{}, { label: "events/s", stroke: "#2463eb", width: 2, fill: "rgba(36,99,235,0.12)" }],
      },
      data,
      box,
    );
  }
}
