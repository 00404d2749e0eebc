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

/**
 * When a state visit began, from its key (a task's `visit`: the state's EnteredTime, or
 * `name@EnteredTime`), the same on every Retry of the state: a line a retried task writes, keyed
 * by its time, is then the line the first attempt wrote. `now` for a key that holds no time.
 */
export function visitTime(visit: string | undefined, now: number): string {
  const at = Date.parse(visit?.slice(visit.lastIndexOf('@') + 1) ?? '');
  return iso(Number.isNaN(at) ? now : at);
}
