/** A value a caller passed is not allowed; names the parameter, the value and what is allowed. */
export class InvalidInputError extends Error {
  override readonly name = "InvalidInputError";

  constructor(
    readonly parameter: string,
    readonly value: unknown,
    readonly allowed: string,
  ) {
    super(`${parameter} must be ${allowed}, got ${describe(value)}`);
  }
}

export function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 80 ? value.slice(0, 80) + "…" : value);
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") return String(value);
  if (value === undefined || value === null) return String(value);
  const json = JSON.stringify(value) ?? String(value);
  return json.length > 80 ? json.slice(0, 80) + "…" : json;
}
