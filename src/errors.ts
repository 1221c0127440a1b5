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

/** Characters of a value shown in a message; longer descriptions end with "…". */
const DESCRIPTION_LENGTH = 80;
/** Levels of arrays and objects shown: a deeply nested value must not cost a deep recursion. */
const DESCRIPTION_DEPTH = 3;

/**
 * A value as a message shows it: JSON-like for data, at most DESCRIPTION_LENGTH characters (plus "…")
 * and DESCRIPTION_DEPTH levels, built in bounded work whatever the value (huge, cyclic, a Proxy that throws).
 */
export function describe(value: unknown): string {
  try {
    if (typeof value === "string") return JSON.stringify(shorten(value, DESCRIPTION_LENGTH));
    const text = render(value, DESCRIPTION_DEPTH, DESCRIPTION_LENGTH);
    return text.length > DESCRIPTION_LENGTH ? `${text.slice(0, DESCRIPTION_LENGTH)}…` : text;
  } catch {
    return "a value that cannot be shown";
  }
}

function shorten(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length)}…` : text;
}

/** `value` in about `room` characters: stops listing entries once the room is used up. */
function render(value: unknown, depth: number, room: number): string {
  switch (typeof value) {
    case "string":
      return JSON.stringify(shorten(value, Math.max(room, 1)));
    case "bigint":
      return `${value}n`;
    case "symbol":
      return value.toString();
    case "function":
      return value.name ? `function ${value.name}` : "a function";
    case "object":
      if (value === null) return "null";
      if (Array.isArray(value)) return renderEntries(value.length, (i) => [undefined, value[i]], "[]", depth, room);
      return renderObject(value, depth, room);
    default:
      return String(value);
  }
}

function renderObject(value: object, depth: number, room: number): string {
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) {
    const name = (prototype as { constructor?: { name?: unknown } }).constructor?.name;
    return typeof name === "string" && name !== "" ? `a ${name}` : "an object";
  }
  // Each entry takes at least 2 characters: more keys than fit the room are not even collected.
  const keys: string[] = [];
  for (const key in value) {
    if (Object.hasOwn(value, key)) keys.push(key);
    if (keys.length * 2 > room) break;
  }
  const record = value as Record<string, unknown>;
  return renderEntries(keys.length, (i) => [keys[i]!, record[keys[i]!]], "{}", depth, room);
}

/** Entries `at(0..count-1)` as `[a,b]` or `{"k":v}`, cut with "…" where the room or the depth ends. */
function renderEntries(
  count: number,
  at: (index: number) => [key: string | undefined, value: unknown],
  brackets: "[]" | "{}",
  depth: number,
  room: number,
): string {
  const [open, close] = brackets;
  if (count === 0) return brackets;
  if (depth === 0) return `${open}…${close}`;
  let text = open!;
  for (let i = 0; i < count; i++) {
    if (text.length >= room) return `${text}…${close}`;
    const [key, item] = at(i);
    const label = key === undefined ? "" : `${JSON.stringify(shorten(key, room))}:`;
    text += (i > 0 ? "," : "") + label + render(item, depth - 1, room - text.length - label.length);
  }
  return text + close;
}
