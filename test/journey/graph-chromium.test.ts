/**
 * The diagrams as Chromium draws them: every line of text, measured by the browser in the font it
 * really picked for the SVG's font-family, lies inside its box or its label, and is never wider
 * than text-metrics.ts estimated (the estimate the boxes were sized from). Headless Chromium is
 * Debian's, driven by playwright-core as in test/server/console.test.ts: skipped without
 * /usr/bin/chromium on a laptop, failing in CI instead.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { journeyGraph } from '../../lib/journey/graph';
import { graphSvg } from '../../lib/journey/graph-svg';
import { journeyFiles } from '../../lib/journey/load';
import { textWidth } from '../../lib/journey/text-metrics';
import { loadValid } from '../helpers';

const CHROMIUM = '/usr/bin/chromium';
const runs = existsSync(CHROMIUM) || Boolean(process.env.CI);
const FILES = journeyFiles(['workflows', 'test/cli/workflows', 'test/journey/diagrams']);

interface Drawn {
  file: string;
  text: string;
  size: number;
  bold: boolean;
  /** Chromium's advance width of the text, and its box (glyph ascent to descent) against the shape's. */
  length: number;
  glyphs: { x: number; y: number; width: number; height: number };
  shape: { x: number; y: number; width: number; height: number };
}

/** What the page's function uses of an SVG element (the tests compile without the DOM's types). */
interface SvgElement {
  tagName: string;
  textContent: string | null;
  previousElementSibling: SvgElement | null;
  getAttribute(name: string): string | null;
  getBBox(): { x: number; y: number; width: number; height: number };
  getComputedTextLength(): number;
  closest(selector: string): SvgElement | null;
}

(runs ? describe : describe.skip)('journey diagrams drawn by Chromium', () => {
  let browser: Browser;
  let drawn: Drawn[];
  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`${CHROMIUM} is missing: CI must install it (apt-get install -y chromium)`);
    const svgs = await Promise.all(FILES.map((f) => graphSvg(journeyGraph(loadValid(f).journey))));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu'],
    });
    const page = await browser.newPage();
    // Inline, not as <img>, so the page can measure the text; the fonts are resolved the same way.
    await page.setContent(
      `<!doctype html><body>${svgs.map((s, i) => `<div data-file="${FILES[i]}">${s}</div>`).join('')}</body>`,
    );
    await page.evaluate('document.fonts.ready.then(() => undefined)');
    // A box's text follows its rect inside the step's <g>, a label's follows the label's rect; the
    // diagram's title is not in a <g>.
    drawn = await page.$$eval('div[data-file] g > text', (nodes) =>
      (nodes as unknown as SvgElement[]).map((text) => {
        let shape = text.previousElementSibling;
        while (shape && shape.tagName !== 'rect') shape = shape.previousElementSibling;
        const b = text.getBBox();
        const r = shape ? shape.getBBox() : { x: 0, y: 0, width: 0, height: 0 };
        return {
          file: text.closest('div')?.getAttribute('data-file') ?? '',
          text: text.textContent ?? '',
          size: Number(text.getAttribute('font-size')),
          bold: text.getAttribute('font-weight') === 'bold',
          length: text.getComputedTextLength(),
          glyphs: { x: b.x, y: b.y, width: b.width, height: b.height },
          shape: { x: r.x, y: r.y, width: r.width, height: r.height },
        };
      }),
    );
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('measures text no wider than the estimate the boxes were sized from', () => {
    expect(drawn.length).toBeGreaterThan(100);
    // Chromium positions glyphs in 64ths of a pixel, so each may round up by that much.
    const wider = drawn
      .filter((d) => d.length > textWidth(d.text, d.size, d.bold) + [...d.text].length / 64)
      .map((d) => `${d.file}: "${d.text}" ${d.length} > ${textWidth(d.text, d.size, d.bold)}`);
    expect(wider).toEqual([]);
    // The estimate is close, not just large: Latin text within 5% of what Chromium draws (the gap
    // is kerning, as in "AT", which takes 3% off "in DE, AT, CH or").
    const loose = drawn
      .filter((d) => /^[\u0020-\u00ff]*$/.test(d.text) && d.length < 0.95 * textWidth(d.text, d.size, d.bold))
      .map((d) => `${d.file}: "${d.text}" ${d.length} < 95% of ${textWidth(d.text, d.size, d.bold)}`);
    expect(loose).toEqual([]);
  });

  it('draws every line of text inside its box or label', () => {
    const outside = drawn
      .filter(
        (d) =>
          d.glyphs.x < d.shape.x ||
          d.glyphs.y < d.shape.y ||
          d.glyphs.x + d.glyphs.width > d.shape.x + d.shape.width ||
          d.glyphs.y + d.glyphs.height > d.shape.y + d.shape.height,
      )
      .map((d) => `${d.file}: "${d.text}" ${JSON.stringify(d.glyphs)} outside ${JSON.stringify(d.shape)}`);
    expect(outside).toEqual([]);
  });
});
