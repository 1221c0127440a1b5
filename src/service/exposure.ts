// A service that other machines can reach should not take writes from anyone: the service warns when
// it listens beyond loopback without an API key.
import { isIPv4 } from "node:net";

export function isLoopback(host: string): boolean {
  const address = host.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  if (address === "localhost" || address === "::1") return true;
  const v4 = address.startsWith("::ffff:") ? address.slice("::ffff:".length) : address;
  return isIPv4(v4) && v4.startsWith("127.");
}

/** The warning to log for `host` and the configured API key, or undefined when there is nothing to warn of. */
export function exposureWarning(host: string, apiKey: string | undefined): string | undefined {
  if (isLoopback(host) || (apiKey !== undefined && apiKey !== "")) return undefined;
  return `listening on ${host}, beyond loopback, without an API key: anyone who can reach it can write events (set --api-key)`;
}
