/**
 * The minimal copy of an event or trigger an execution carries (lib/journey/reads.ts says what a
 * journey reads): the kept fields as they are, presence-only fields as `true`, nothing else.
 * Paths go through arrays element by element, as JSONata paths do.
 */
import type { Keep } from '../journey/reads';

type Tree = { [key: string]: Tree | 'value' | 'present' };

/** The object with only what `keep` names; without `keep`, the object itself. */
export function project(value: unknown, keep: Keep | undefined): unknown {
  if (!keep) return value;
  const tree: Tree = {};
  const add = (path: string, leaf: 'value' | 'present') => {
    const segments = path.split('.');
    let node = tree;
    for (const [i, s] of segments.entries()) {
      const at = node[s];
      if (at === 'value') return; // the whole of it is kept already
      if (i === segments.length - 1) {
        // A value wins over presence, and over any part of itself kept before.
        if (leaf === 'value' || at === undefined) node[s] = leaf;
        return;
      }
      if (at === undefined || at === 'present') node[s] = {};
      node = node[s] as Tree;
    }
  };
  for (const p of keep.values) add(p, 'value');
  for (const p of keep.present) add(p, 'present');
  return pick(value, tree) ?? {};
}

function pick(value: unknown, tree: Tree): unknown {
  if (Array.isArray(value)) return value.map((v) => pick(v, tree) ?? null);
  if (value === null || typeof value !== 'object') return undefined;
  const out: Record<string, unknown> = {};
  for (const [key, node] of Object.entries(tree)) {
    if (!Object.hasOwn(value, key)) continue;
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined) continue;
    if (node === 'value') out[key] = v;
    else if (node === 'present') out[key] = true;
    else {
      const inner = pick(v, node);
      if (inner !== undefined) out[key] = inner;
    }
  }
  return out;
}
