/**
 * FNV-1a over a string's UTF-16 code units, as an unsigned 32-bit number: a spread of keys over
 * shards, stable across processes and releases. Not a digest: where ids must not collide, ids.ts.
 */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
