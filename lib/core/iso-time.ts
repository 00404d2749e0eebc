/**
 * ISO 8601 in UTC with milliseconds: sorts as it reads. The last answer is kept: a step's lines and
 * records (and a whole audience run in virtual time) ask again and again for the same instant.
 */
export function iso(ms: number): string {
  if (ms !== last.ms) {
    last.text = new Date(ms).toISOString();
    last.ms = ms;
  }
  return last.text;
}

const last = { ms: Number.NaN, text: '' };
