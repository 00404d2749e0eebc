/**
 * How wide a line of diagram text is, without a browser: the advance widths of the font the SVG
 * declares. Helvetica, Arial and Liberation Sans share these metrics (Arial and Liberation Sans
 * were drawn to match Helvetica's widths), so a box sized from this table holds its text in any of
 * them. The table is in thousandths of an em, read from LiberationSans-Regular.ttf and -Bold.ttf
 * (hmtx). Kerning only narrows a line and a browser rounds each glyph to 1/64 px, so the sum of
 * advances is what a line takes, give or take a fraction of a pixel.
 */

/** The font the diagrams declare; every family in it has the metrics below. */
export const DIAGRAM_FONT = "Helvetica, Arial, 'Liberation Sans', sans-serif";

/** U+0020..U+007E, then U+00A0..U+00FF. */
const REGULAR = [
  278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556,
  556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833,
  722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556,
  556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334,
  260, 334, 584, 278, 333, 556, 556, 556, 556, 260, 556, 333, 737, 370, 556, 584, 333, 737, 552, 400, 549, 333, 333,
  333, 576, 537, 278, 333, 333, 365, 556, 834, 834, 834, 611, 667, 667, 667, 667, 667, 667, 1000, 722, 667, 667, 667,
  667, 278, 278, 278, 278, 722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611, 556, 556,
  556, 556, 556, 556, 889, 500, 556, 556, 556, 556, 278, 278, 278, 278, 556, 556, 556, 556, 556, 556, 556, 549, 611,
  556, 556, 556, 556, 500, 556, 500,
];
const BOLD = [
  278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556,
  556, 556, 556, 333, 333, 584, 584, 584, 611, 975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833,
  722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556, 333, 556, 611, 556, 611,
  556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611, 611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389,
  280, 389, 584, 278, 333, 556, 556, 556, 556, 280, 556, 333, 737, 370, 556, 584, 333, 737, 552, 400, 549, 333, 333,
  333, 576, 556, 278, 333, 333, 365, 556, 834, 834, 834, 611, 722, 722, 722, 722, 722, 722, 1000, 722, 667, 667, 667,
  667, 278, 278, 278, 278, 722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611, 556, 556,
  556, 556, 556, 556, 889, 556, 556, 556, 556, 556, 278, 278, 278, 278, 611, 611, 611, 611, 611, 611, 611, 549, 611,
  611, 611, 611, 611, 556, 611, 556,
];
/** The punctuation and symbols the diagrams write (`≥`, `→`) beyond Latin-1. */
const SYMBOLS: Record<string, [regular: number, bold: number]> = {
  '‘': [222, 278],
  '’': [222, 278],
  '“': [333, 500],
  '”': [333, 500],
  '•': [350, 350],
  '–': [556, 556],
  '—': [1000, 1000],
  '…': [1000, 1000],
  '→': [1000, 1000],
  '←': [1000, 1000],
  '↑': [500, 500],
  '↓': [500, 500],
  '≤': [549, 549],
  '≥': [549, 549],
  '≠': [549, 549],
};
/**
 * Anything else (other scripts, emoji) is drawn from a fallback font whose widths are unknown:
 * count it as a full em, which holds CJK ideographs and most emoji, so a box errs wide, never narrow.
 */
const UNKNOWN = 1000;

/** The advance width, in thousandths of an em, of one character. */
function advance(ch: string, bold: boolean): number {
  const code = ch.codePointAt(0) ?? 0;
  const table = bold ? BOLD : REGULAR;
  if (code >= 0x20 && code <= 0x7e) return table[code - 0x20];
  if (code >= 0xa0 && code <= 0xff) return table[code - 0xa0 + 95];
  const symbol = SYMBOLS[ch];
  if (symbol) return symbol[bold ? 1 : 0];
  return UNKNOWN;
}

/** The width in pixels of `text` set in the diagram font at `size` pixels. */
export function textWidth(text: string, size: number, bold = false): number {
  let units = 0;
  for (const ch of text) units += advance(ch, bold);
  return (units * size) / 1000;
}

/** A comparison or an arrow stays on the line of both its sides: `cartId = context.cartId`, `email → sms`. */
const GLUE = new Set(['=', '≠', '<', '>', '≤', '≥', '→']);

/**
 * Words into as few lines as fit in `maxWidth`, then as narrow as that many lines allow, so a
 * text breaks into even lines rather than a long one and an orphan. A single word wider than
 * `maxWidth` gets a line of its own, as wide as it is.
 */
export function wrapText(text: string, size: number, maxWidth: number): string[] {
  const words: string[] = [];
  let glued = false;
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const glue = GLUE.has(word);
    if ((glue || glued) && words.length) words[words.length - 1] += ` ${word}`;
    else words.push(word);
    glued = glue;
  }
  const lines = wrapAt(words, size, maxWidth);
  if (lines.length < 2) return lines;
  let lo = Math.max(...words.map((w) => textWidth(w, size)));
  let hi = maxWidth;
  while (hi - lo > 1) {
    const mid = (lo + hi) / 2;
    if (wrapAt(words, size, mid).length > lines.length) lo = mid;
    else hi = mid;
  }
  return wrapAt(words, size, hi);
}

function wrapAt(words: string[], size: number, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of words) {
    const longer = line ? `${line} ${word}` : word;
    if (line && textWidth(longer, size) > width) {
      out.push(line);
      line = word;
    } else line = longer;
  }
  if (line) out.push(line);
  return out;
}
