/**
 * Wait `Timestamp` as Step Functions reads it: "Timestamps must conform to the RFC3339 profile of
 * ISO 8601, with the further restrictions that an uppercase T must separate the date and time
 * portions, and an uppercase Z must denote that a numeric time zone offset is not present", and
 * "Step Functions considers the time value up to seconds and truncates milliseconds".
 * https://docs.aws.amazon.com/step-functions/latest/dg/state-wait.html
 *
 * So seconds are required (RFC 3339 `partial-time`), fractional seconds of any length are
 * allowed and dropped, and a time without Z or an offset is refused, never read in the host's zone.
 */

/** RFC 3339 `date-time`, with the uppercase T and Z AWS requires. */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:Z|([+-])(\d{2}):(\d{2}))$/;

/** What a Wait Timestamp must look like, for error messages. */
export const TIMESTAMP_FORM =
  'an RFC 3339 time with seconds, an uppercase T and Z or a ±hh:mm offset (2026-08-18T17:33:00Z)';

/** The instant of a Wait Timestamp in ms, truncated to the second; undefined when AWS would refuse it. */
export function parseWaitTimestamp(text: string): number | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const [sign, offH, offM] = [m[7], Number(m[8] ?? 0), Number(m[9] ?? 0)];
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59 || offH > 23 || offM > 59) return undefined;
  // setUTCFullYear, not Date.UTC, which reads years below 100 as 19xx.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  // A day the month does not have (2026-02-30) rolls over into the next: refused.
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  const offset = (sign === '-' ? -1 : 1) * (offH * 60 + offM) * 60_000;
  return date.getTime() - offset;
}
