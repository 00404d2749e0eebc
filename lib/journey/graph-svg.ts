/**
 * A journey graph as a standalone SVG: the layout of graph-layout.ts (ELK) drawn as plain SVG
 * text, with nothing to run in a browser — boxes with their lines of text, edges as the routed
 * polylines with arrowheads, labels where the layout put them.
 */
import type { GraphEdge, GraphNode, JourneyGraph } from './graph';
import { type JourneyLayout, type LaidOutEdge, type LaidOutNode, layoutJourney, type TextLine } from './graph-layout';
import { DIAGRAM_FONT } from './text-metrics';

const FILL: Record<GraphNode['kind'], string> = {
  start: '#d1fae5',
  wait: '#f1f5f9',
  send: '#e0f2fe',
  waitFor: '#ede9fe',
  branch: '#fef9c3',
  split: '#fef9c3',
  handoff: '#dcfce7',
  action: '#dcfce7',
  update: '#fce7f3',
  end: '#e5e7eb',
  rule: '#fff4e5',
};
const INK = '#0f172a';

const STROKE: Record<GraphEdge['style'], { color: string; dash: string }> = {
  normal: { color: '#475569', dash: '' },
  alternate: { color: '#475569', dash: ' stroke-dasharray="2,3"' },
  escalation: { color: '#d97706', dash: ' stroke-dasharray="6,4"' },
};

/** Lay out a journey graph and render it as SVG text. */
export async function graphSvg(g: JourneyGraph): Promise<string> {
  return renderSvg(await layoutJourney(g));
}

/** Render a laid-out journey graph as SVG text. */
export function renderSvg(layout: JourneyLayout): string {
  const { width, height } = layout;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${esc(DIAGRAM_FONT)}" font-size="12">`,
    `<title>${esc(layout.title.text)}</title>`,
    '<defs>',
    ...Object.entries(STROKE).map(
      ([style, s]) =>
        `<marker id="arrow-${style}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${s.color}"/></marker>`,
    ),
    '</defs>',
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    text(layout.title, INK),
    ...layout.nodes.map(box),
    // Edges over boxes: an arrowhead ends on a box's border and must not be hidden by its fill.
    ...layout.edges.map(edge),
    '</svg>',
    '',
  ].join('\n');
}

function box(b: LaidOutNode): string {
  const dash = b.node.kind === 'rule' ? ' stroke-dasharray="5,3"' : '';
  return `<g class="step ${b.node.kind}" data-step="${esc(b.node.id)}"><rect x="${b.x}" y="${b.y}" width="${b.width}" height="${b.height}" rx="${b.rx}" fill="${FILL[b.node.kind]}" stroke="#475569"${dash}/>${b.lines.map((l) => text(l, INK)).join('')}</g>`;
}

function edge(e: LaidOutEdge): string {
  const { color, dash } = STROKE[e.edge.style];
  const d = e.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x},${p.y}`).join(' ');
  const label = e.label
    ? `<rect class="label" x="${e.label.x}" y="${e.label.y}" width="${e.label.width}" height="${e.label.height}" fill="#ffffff" fill-opacity="0.85"/>${e.label.lines.map((l) => text(l, color)).join('')}`
    : '';
  return `<g class="edge ${e.edge.style}" data-from="${esc(e.edge.from)}" data-to="${esc(e.edge.to)}"><path d="${d}" fill="none" stroke="${color}" stroke-width="1.4"${dash} marker-end="url(#arrow-${e.edge.style})"/>${label}</g>`;
}

function text(l: TextLine, fill: string): string {
  return `<text x="${l.x}" y="${l.y}" text-anchor="middle" font-size="${l.size}"${l.bold ? ' font-weight="bold"' : ''} fill="${fill}">${esc(l.text)}</text>`;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
