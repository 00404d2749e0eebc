/**
 * The laid-out journey diagram (ELK), checked as geometry for every journey in workflows/ and the
 * test journeys: boxes apart, edges around the boxes they do not join, labels apart and on their
 * own edge, every text inside its box (measured with the font's metrics, never clipped), and two
 * transitions between the same steps drawn as two lines.
 */
import { journeyGraph } from '../../lib/journey/graph';
import { type JourneyLayout, layoutJourney, type Rect, type TextLine } from '../../lib/journey/graph-layout';
import { renderSvg } from '../../lib/journey/graph-svg';
import { journeyFiles } from '../../lib/journey/load';
import type { Journey } from '../../lib/journey/schema';
import { textWidth } from '../../lib/journey/text-metrics';
import { loadValid } from '../helpers';
import { crossesInside, insideRounded, onBorder, overlaps, runTogether, segments } from './geometry';

const FILES = journeyFiles(['workflows', 'test/cli/workflows', 'test/journey/diagrams']);
/** Liberation Sans (Arial, Helvetica): how far glyphs reach above and below the baseline, in em. */
const ASCENT = 0.905;
const DESCENT = 0.212;

/** The four corners of a line of text as drawn: centred on x, around its baseline. */
function corners(l: TextLine) {
  const half = textWidth(l.text, l.size, l.bold) / 2;
  const [top, bottom] = [l.y - ASCENT * l.size, l.y + DESCENT * l.size];
  return [
    { x: l.x - half, y: top },
    { x: l.x + half, y: top },
    { x: l.x - half, y: bottom },
    { x: l.x + half, y: bottom },
  ];
}

const pairs = <T>(xs: T[]): [T, T][] => xs.flatMap((a, i) => xs.slice(i + 1).map((b): [T, T] => [a, b]));
const name = (r: { node: { id: string } }) => r.node.id;

describe.each(FILES)('the diagram of %s', (file) => {
  let journey: Journey;
  let layout: JourneyLayout;
  beforeAll(async () => {
    journey = loadValid(file).journey;
    layout = await layoutJourney(journeyGraph(journey));
  });

  it('has a box per node and a routed line per edge', () => {
    const g = journeyGraph(journey);
    expect(layout.nodes.map(name)).toEqual(g.nodes.map((n) => n.id));
    expect(layout.edges.map((e) => e.edge)).toEqual(g.edges);
    for (const e of layout.edges) expect(e.points.length).toBeGreaterThanOrEqual(2);
  });

  it('puts no box on another', () => {
    const overlapping = pairs(layout.nodes)
      .filter(([a, b]) => overlaps(a, b))
      .map(([a, b]) => `${name(a)} / ${name(b)}`);
    expect(overlapping).toEqual([]);
  });

  it('routes every edge around the boxes, from its source border to its target border, in straight runs', () => {
    const box = new Map(layout.nodes.map((n) => [n.node.id, n]));
    const through: string[] = [];
    for (const e of layout.edges) {
      for (const s of segments(e.points)) {
        expect(s[0].x === s[1].x || s[0].y === s[1].y).toBe(true);
        for (const n of layout.nodes)
          if (crossesInside(s, n)) through.push(`${e.edge.from} → ${e.edge.to} through ${name(n)}`);
      }
      const [from, to] = [box.get(e.edge.from)!, box.get(e.edge.to)!];
      expect({ edge: `${e.edge.from} → ${e.edge.to}`, starts: onBorder(e.points[0], from) }).toEqual({
        edge: `${e.edge.from} → ${e.edge.to}`,
        starts: true,
      });
      expect({ edge: `${e.edge.from} → ${e.edge.to}`, ends: onBorder(e.points[e.points.length - 1], to) }).toEqual({
        edge: `${e.edge.from} → ${e.edge.to}`,
        ends: true,
      });
    }
    expect(through).toEqual([]);
  });

  it('keeps labels apart from each other, off the boxes and off the other edges', () => {
    const labelled = layout.edges.filter((e) => e.label);
    expect(labelled.length).toBe(layout.edges.filter((e) => e.edge.label).length);
    const clashes: string[] = [];
    for (const [a, b] of pairs(labelled))
      if (overlaps(a.label!, b.label!)) clashes.push(`${a.edge.label} / ${b.edge.label}`);
    for (const e of labelled) {
      for (const n of layout.nodes) if (overlaps(e.label!, n)) clashes.push(`${e.edge.label} on ${name(n)}`);
      for (const other of layout.edges) {
        if (other === e) continue;
        for (const s of segments(other.points))
          if (crossesInside(s, e.label!)) clashes.push(`${other.edge.from} → ${other.edge.to} across ${e.edge.label}`);
      }
    }
    expect(clashes).toEqual([]);
  });

  it('puts each label on its own edge, which it interrupts (a self-loop keeps its label beside it)', () => {
    for (const e of layout.edges.filter((x) => x.label && x.edge.from !== x.edge.to)) {
      expect({ label: e.edge.label, onItsEdge: segments(e.points).some((s) => crossesInside(s, e.label!)) }).toEqual({
        label: e.edge.label,
        onItsEdge: true,
      });
    }
  });

  it('fits every line of text inside its box, as wide as the font draws it', () => {
    const outside: string[] = [];
    for (const n of layout.nodes)
      for (const l of n.lines)
        if (!corners(l).every((p) => insideRounded(p, n))) outside.push(`${l.text} in ${name(n)}`);
    for (const e of layout.edges)
      for (const l of e.label?.lines ?? [])
        if (!corners(l).every((p) => insideRounded(p, { ...e.label!, rx: 0 }))) outside.push(`label ${l.text}`);
    expect(outside).toEqual([]);
    // The words are all there: wrapping only breaks lines.
    for (const n of layout.nodes) {
      const text = n.lines.map((l) => l.text).join(' ');
      expect(text).toBe([n.node.title, n.node.detail === n.node.title ? '' : (n.node.detail ?? '')].join(' ').trim());
    }
    for (const e of layout.edges) expect(e.label?.lines.map((l) => l.text).join(' ')).toBe(e.edge.label);
  });

  it('draws two transitions between the same steps as two lines that never run together', () => {
    const merged = pairs(layout.edges)
      .filter(([a, b]) => segments(a.points).some((s) => segments(b.points).some((t) => runTogether(s, t))))
      .map(([a, b]) => `${a.edge.from} → ${a.edge.to} with ${b.edge.from} → ${b.edge.to}`);
    expect(merged).toEqual([]);
  });

  it('keeps everything on the canvas, below the title', () => {
    const canvas: Rect = { x: 0, y: 0, width: layout.width, height: layout.height };
    const inside = (r: Rect) =>
      r.x >= canvas.x && r.y >= canvas.y && r.x + r.width <= canvas.width && r.y + r.height <= canvas.height;
    const titleBottom = layout.title.y + DESCENT * layout.title.size;
    for (const n of layout.nodes) expect(inside(n) && n.y > titleBottom).toBe(true);
    for (const e of layout.edges) {
      for (const p of e.points) expect(inside({ ...p, width: 0, height: 0 }) && p.y > titleBottom).toBe(true);
      if (e.label) expect(inside(e.label)).toBe(true);
    }
    expect(corners(layout.title).every((p) => inside({ ...p, width: 0, height: 0 }))).toBe(true);
  });

  it('writes "otherwise" whole on the default edge of every branch', () => {
    const branches = Object.entries(journey.steps).filter(([, s]) => s.type === 'branch');
    const svg = renderSvg(layout);
    for (const [id] of branches) {
      const otherwise = layout.edges.filter((e) => e.edge.from === id && e.edge.label === 'otherwise');
      expect(otherwise).toHaveLength(1);
      expect(otherwise[0].label!.lines.map((l) => l.text)).toEqual(['otherwise']);
      expect(otherwise[0].label!.width).toBeGreaterThanOrEqual(
        textWidth('otherwise', otherwise[0].label!.lines[0].size),
      );
    }
    if (branches.length) expect(svg).toContain('>otherwise</text>');
  });
});

describe('the test journeys exercise the layout', () => {
  it('with parallel edges of every kind, loops back up and a self-loop', async () => {
    const g = journeyGraph(loadValid('test/journey/diagrams/parallel-and-loops.json').journey);
    const between = (from: string, to: string) => g.edges.filter((e) => e.from === from && e.to === to).length;
    expect([between('check', 'ask'), between('ask', 'await-review'), between('await-review', 'record')]).toEqual([
      3, 2, 2,
    ]);
    expect([between('record', 'pause'), between('opened', 'again'), between('opened', 'ask')]).toEqual([2, 2, 1]);
    expect(between('again', 'again')).toBe(1);
    const layout = await layoutJourney(g);
    // The three edges from check to ask end at three different points of ask's border.
    const ends = layout.edges.filter((e) => e.edge.from === 'check').map((e) => e.points[e.points.length - 1]);
    expect(new Set(ends.map((p) => `${p.x},${p.y}`)).size).toBe(3);
  });

  it('with labels and details long enough to wrap, and text beyond Latin-1', async () => {
    const layout = await layoutJourney(journeyGraph(loadValid('test/journey/diagrams/long-labels.json').journey));
    expect(layout.edges.filter((e) => (e.label?.lines.length ?? 0) > 1).length).toBeGreaterThanOrEqual(2);
    expect(layout.nodes.filter((n) => n.lines.length > 2).length).toBeGreaterThanOrEqual(2);
    expect(layout.edges.some((e) => e.edge.label?.includes('東京'))).toBe(true);
  });
});
