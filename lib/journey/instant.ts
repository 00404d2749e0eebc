/**
 * The instants a `wait until` reads (SPEC §3): RFC 3339 date-times with an offset, seconds
 * optional (2026-03-01T10:00Z reads as 10:00:00), `t` and `z` in either case. One rule, in two
 * forms: TypeScript for the validator and handlers, JSONata for the state machine. Both turn
 * anything else into "no instant", never an error: a malformed time read from an event continues
 * the journey at once, it never fails the instance.
 */

const DATE = '\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])';
const TIME = '([01]\\d|2[0-3]):[0-5]\\d(:[0-5]\\d(\\.\\d+)?)?';
const OFFSET = '(Z|[+-]([01]\\d|2[0-3]):[0-5]\\d)';
/** RFC 3339 (seconds optional), case-insensitive. */
export const INSTANT_PATTERN = new RegExp(`^${DATE}T${TIME}${OFFSET}$`, 'i');

/**
 * JSONata's $toMillis needs the seconds and upper-case T and Z: the text is upper-cased and a
 * time without seconds (16 characters before its offset) gets ":00".
 */
const NO_SECONDS = /^(.{16})(Z|[+-].*)$/;

/** The instant in milliseconds, or undefined when the value is not an RFC 3339 date-time. */
export function instantMillis(value: unknown): number | undefined {
  if (typeof value !== 'string' || !INSTANT_PATTERN.test(value)) return undefined;
  const ms = Date.parse(value.toUpperCase().replace(NO_SECONDS, '$1:00$2'));
  return Number.isNaN(ms) ? undefined : ms;
}

/** Whether a literal instant names a real calendar day (2026-02-30 rolls over at run time; the validator refuses it). */
export function isCalendarDate(value: string): boolean {
  const [year, month, day] = value.slice(0, 10).split('-').map(Number);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  return days !== undefined && day >= 1 && day <= days;
}

/**
 * JSONata that evaluates `expr` and gives the instant as a canonical UTC time
 * (2026-03-01T10:00:00.000Z, what a Wait's Timestamp takes), or null when it is not one (null,
 * not nothing: Step Functions refuses a field whose expression returns nothing).
 */
export function instantJsonata(expr: string): string {
  const pattern = `/${INSTANT_PATTERN.source}/i`;
  const normalized = `$replace($uppercase($t), /${NO_SECONDS.source}/, "$1:00$2")`;
  return `($t := ${expr}; $type($t) = "string" and $contains($t, ${pattern}) ? $fromMillis($toMillis(${normalized})) : null)`;
}

/** Whether a wait's `until` is meant as a literal time rather than a path: paths start with a root name, times with a digit. */
export function isUntilLiteral(until: string): boolean {
  return /^\d/.test(until);
}
