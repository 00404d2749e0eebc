/**
 * Redaction of personal data before anything is logged (ARCHITECTURE.md decision 5): fields named
 * like an address are masked whatever they hold, and email addresses and phone numbers are masked
 * wherever they appear in text, because error messages and "found ..." echoes can quote them.
 */

export const REDACTED = '[redacted]';

/** Field names whose values are contact details. */
const SENSITIVE_KEY = /^(e-?mail|email_?address|phone|phone_?number|mobile|msisdn|to|to_?addresses|address)$/i;

const PATTERNS = [
  /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g, // email
  /\+[1-9]\d{6,14}\b/g, // E.164, the form profiles keep
  /\(\d{3}\)\s?\d{3}[-.\s]\d{4}\b/g, // (555) 123-4567
  /\b\d{3}[-.]\d{3}[-.]\d{4}\b/g, // 555-123-4567; dates (2026-11-20) do not match
];

const MAX_DEPTH = 8;

/** The text with every email address and phone number replaced by [redacted]. */
export function redactText(text: string): string {
  return PATTERNS.reduce((t, p) => t.replace(p, REDACTED), text);
}

/** A copy of a log value with contact details masked; the input is never modified. */
export function redact(value: unknown): unknown {
  return walk(value, 0, new WeakSet());
}

function walk(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return redactText(value);
  if (typeof value !== 'object' || value === null) return value;
  if (seen.has(value)) return '[circular]';
  if (depth >= MAX_DEPTH) return '[truncated]';
  seen.add(value);
  if (value instanceof Error) {
    // Stay an Error so the logger still prints name and stack.
    const copy = new Error(redactText(value.message));
    copy.name = value.name;
    copy.stack = value.stack === undefined ? undefined : redactText(value.stack);
    return copy;
  }
  if (Array.isArray(value)) return value.map((v) => walk(v, depth + 1, seen));
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, SENSITIVE_KEY.test(k) ? REDACTED : walk(v, depth + 1, seen)]),
  );
}
