// The dashboard at /: wires the panels to one connection (this service, or the gateway named by the
// URL field or ?gateway=), polls the service every 2 s to know whether it is there, and feeds the
// live plays to whichever panel shows their listener.
import "uplot/dist/uPlot.min.css";
import "./style.css";
import { Api, UnreachableError, type LiveEvent } from "./api.js";
import { byId } from "./dom.js";
import { ListenersView } from "./listeners.js";
import { ProfileView } from "./profile.js";
import { RecommendationsView } from "./recommendations.js";
import { POLL_MS, ServiceView } from "./service.js";
import { YouView } from "./you.js";

const params = new URLSearchParams(location.search);
const urlInput = byId<HTMLInputElement>("gateway-url");
const keyInput = byId<HTMLInputElement>("api-key");
urlInput.value = params.get("gateway") ?? location.origin;

let api = new Api(connection());
const current = () => api;

const listeners = new ListenersView(current, byId("listeners"), (userId) => void select(userId));
const profile = new ProfileView(current, byId("profile"));
const recommendations = new RecommendationsView(current, byId<HTMLFormElement>("recs-form"), byId("recs"));
const service = new ServiceView(current);
const yourProfile = new ProfileView(current, byId("you-profile"));
const yourRecommendations = new RecommendationsView(current, byId<HTMLFormElement>("you-recs-form"), byId("you-recs"));
const you = new YouView(current, (userId) => {
  yourProfile.userId = yourRecommendations.userId = userId;
  void yourProfile.load();
  void yourRecommendations.load();
});
yourProfile.userId = yourRecommendations.userId = you.userId;

let reachable: boolean | undefined;
/** The service answers, but refuses what the page asks (e.g. a gateway wanting an API key). */
let refusal: string | undefined;
let live = false;
let stopLive: (() => void) | undefined;

function connection() {
  return { url: urlInput.value.trim().replace(/\/+$/, "") || location.origin, apiKey: keyInput.value.trim() || undefined };
}

function showStatus(): void {
  const status = byId("connection-status");
  const where = api.connection.url;
  status.dataset.state = reachable === false ? "down" : reachable ? "up" : "connecting";
  status.textContent =
    reachable === false
      ? `Cannot reach the service at ${where}; retrying every ${POLL_MS / 1000} s.`
      : refusal
        ? `${where} answers, but: ${refusal}`
        : reachable
          ? `Connected to ${where}${live ? ", live" : ", live updates connecting…"}`
          : `Connecting to ${where}…`;
}

async function select(userId: number): Promise<void> {
  listeners.selected = userId;
  byId("profile-title").textContent = `Listener ${userId}`;
  byId("recs-title").textContent = `Recommendations for ${userId}`;
  const url = new URL(location.href);
  url.searchParams.set("listener", String(userId));
  history.replaceState(null, "", url);
  await Promise.allSettled([profile.show(userId), recommendations.show(userId)]);
}

function heard(event: LiveEvent): void {
  listeners.heard(event);
  if (event.userId === profile.userId) {
    profile.changed();
    recommendations.changed();
  }
  if (event.userId === you.userId) {
    yourProfile.changed();
    yourRecommendations.changed();
  }
}

/** Everything that reads the service, again: at start, after reconnecting, after a new URL. */
async function reload(): Promise<void> {
  await listeners.load().catch(() => undefined);
  const wanted = profile.userId ?? (Number(params.get("listener")) || listeners.first());
  await Promise.allSettled([wanted === undefined ? undefined : select(wanted), yourProfile.load(), yourRecommendations.load()]);
}

async function poll(): Promise<void> {
  try {
    await service.poll();
    const back = reachable !== true;
    reachable = true;
    refusal = undefined;
    showStatus();
    if (back) await reload();
  } catch (error) {
    if (error instanceof UnreachableError) {
      if (reachable !== false) service.reset();
      reachable = false;
    } else refusal = (error as Error).message;
    showStatus();
  }
}

function connect(): void {
  stopLive?.();
  api.close();
  api = new Api(connection());
  reachable = refusal = undefined;
  live = false;
  listeners.clear();
  service.reset();
  showStatus();
  stopLive = api.subscribe(heard, (open) => {
    live = open;
    showStatus();
  });
  void poll();
}

byId("connection-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const url = new URL(location.href);
  if (connection().url === location.origin) url.searchParams.delete("gateway");
  else url.searchParams.set("gateway", connection().url);
  history.replaceState(null, "", url);
  connect();
});

byId("find-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = byId<HTMLInputElement>("find-id");
  if (input.reportValidity()) void select(Number(input.value));
});

connect();
setInterval(() => void poll(), POLL_MS);
