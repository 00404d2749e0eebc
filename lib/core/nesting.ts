/**
 * How deep a parsed JSON value nests, measured without recursion: validators, zod and
 * JSON.stringify recurse, so a value nested thousands of levels deep would overflow the stack
 * (a crash or a 500) before it could be rejected with a message.
 */

/** The path to the first value nested more than `max` levels deep, or undefined when none is. */
export function pathDeeperThan(value: unknown, max: number): (string | number)[] | undefined {
  const todo: { value: unknown; path: (string | number)[] }[] = [{ value, path: [] }];
  while (todo.length) {
    const { value: v, path } = todo.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (path.length >= max) return path;
    const items: [string | number, unknown][] = Array.isArray(v) ? v.map((item, i) => [i, item]) : Object.entries(v);
    for (const [k, item] of items)
      if (item !== null && typeof item === 'object') todo.push({ value: item, path: [...path, k] });
  }
  return undefined;
}
