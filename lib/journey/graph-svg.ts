/**
 * A journey graph as a standalone SVG, laid out here (layered, top to bottom) so that no browser
 * or layout engine is needed: steps in rows by their distance from the start, loops drawn back
 * up the right side, rules (escalation, exits) in a column of their own.
 */
import type { GraphEdge, GraphNode, JourneyGraph } from './graph';
import { START_NODE } from './graph';

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
const CHAR = 7;
const LINE = 16;
const WRAP = 34;
const ROW_GAP = 64;
const COL_GAP = 36;
const MARGIN = 48;

interface Box {
  node: GraphNode;
  lines: string[];
  w: number;
  h: number;
  x: number;
  y: number;
}

/** Render a journey graph as SVG text. */
export function renderSvg(g: JourneyGraph): string {
  const steps = g.nodes.filter((n) => n.kind !== 'rule');
  const rules = g.nodes.filter((n) => n.kind === 'rule');
  const ranks = layer(steps, g.edges);
  const boxes = new Map<string, Box>();
  for (const n of g.nodes) boxes.set(n.id, measure(n));

  // Rows by rank; each row centred on the widest.
  const rows: Box[][] = [];
  for (const n of steps) {
    const r = ranks.get(n.id) ?? 0;
    rows[r] = [...(rows[r] ?? []), boxes.get(n.id)!];
  }
  const rowWidth = (r: Box[]) => r.reduce((s, b) => s + b.w, 0) + COL_GAP * (r.length - 1);
  const width = Math.max(...rows.map((r) => (r ? rowWidth(r) : 0)), 200);
  let y = MARGIN + 28;
  for (const row of rows) {
    if (!row) continue;
    let x = MARGIN + (width - rowWidth(row)) / 2;
    const h = Math.max(...row.map((b) => b.h));
    for (const b of row) {
      b.x = x;
      b.y = y + (h - b.h) / 2;
      x += b.w + COL_GAP;
    }
    y += h + ROW_GAP;
  }
  const loopLane = MARGIN + width + 20;
  let ruleY = MARGIN + 28;
  const ruleX = loopLane + 20 + 12 * g.edges.length;
  for (const r of rules) {
    const b = boxes.get(r.id)!;
    b.x = ruleX;
    b.y = ruleY;
    ruleY += b.h + 24;
  }
  const totalW = ruleX + (rules.length ? Math.max(...rules.map((r) => boxes.get(r.id)!.w)) : 0) + MARGIN;
  const totalH = Math.max(y, ruleY) + MARGIN;

  const parts: string[] = [];
  let lane = 0;
  for (const e of g.edges) {
    const a = boxes.get(e.from);
    const b = boxes.get(e.to);
    if (!a || !b) continue;
    parts.push(edge(e, a, b, ranks, loopLane + 12 * lane++));
  }
  for (const b of boxes.values()) parts.push(box(b));
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${Math.ceil(totalW)}" height="${Math.ceil(totalH)}" viewBox="0 0 ${Math.ceil(totalW)} ${Math.ceil(totalH)}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<title>${esc(g.title)}</title>`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#475569"/></marker></defs>',
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="${MARGIN}" y="${MARGIN + 6}" font-size="15" font-weight="bold" fill="#0f172a">${esc(g.title)}</text>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}

/** Longest-path layers from the start, ignoring edges that close a loop. */
function layer(nodes: GraphNode[], edges: GraphEdge[]): Map<string, number> {
  const out = new Map<string, GraphEdge[]>();
  for (const e of edges) (out.get(e.from) ?? out.set(e.from, []).get(e.from)!).push(e);
  const back = new Set<GraphEdge>();
  const state = new Map<string, 'open' | 'done'>();
  const order: string[] = [];
  const visit = (id: string) => {
    state.set(id, 'open');
    for (const e of out.get(id) ?? []) {
      const s = state.get(e.to);
      if (s === 'open') back.add(e);
      else if (s === undefined) visit(e.to);
    }
    state.set(id, 'done');
    order.push(id);
  };
  visit(START_NODE);
  for (const n of nodes) if (!state.has(n.id)) visit(n.id);
  const rank = new Map<string, number>();
  for (const id of order.reverse()) {
    const r = rank.get(id) ?? 0;
    rank.set(id, r);
    for (const e of out.get(id) ?? []) if (!back.has(e)) rank.set(e.to, Math.max(rank.get(e.to) ?? 0, r + 1));
  }
  return rank;
}

function measure(node: GraphNode): Box {
  const lines = [node.title, ...wrap(node.detail && node.detail !== node.title ? node.detail : '')];
  const w = Math.max(90, Math.max(...lines.map((l) => l.length)) * CHAR + 24);
  return { node, lines, w, h: 14 + LINE * lines.length, x: 0, y: 0 };
}

function wrap(text: string): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && (line + ' ' + word).length > WRAP) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out;
}

function box(b: Box): string {
  const rx =
    b.node.kind === 'start' || b.node.kind === 'end'
      ? b.h / 2
      : b.node.kind === 'branch' || b.node.kind === 'split'
        ? 14
        : 6;
  const dash = b.node.kind === 'rule' ? ' stroke-dasharray="5,3"' : '';
  const text = b.lines
    .map(
      (l, i) =>
        `<text x="${b.x + b.w / 2}" y="${b.y + 20 + i * LINE}" text-anchor="middle"${i === 0 ? ' font-weight="bold"' : ''} fill="#0f172a">${esc(l)}</text>`,
    )
    .join('');
  return `<g class="step ${b.node.kind}" data-step="${esc(b.node.id)}"><rect x="${b.x}" y="${b.y}" width="${b.w}" height="${b.h}" rx="${rx}" fill="${FILL[b.node.kind]}" stroke="#475569"${dash}/>${text}</g>`;
}

function edge(e: GraphEdge, a: Box, b: Box, ranks: Map<string, number>, lane: number): string {
  const color = e.style === 'escalation' ? '#d97706' : '#475569';
  const dash =
    e.style === 'escalation' ? ' stroke-dasharray="6,4"' : e.style === 'alternate' ? ' stroke-dasharray="2,3"' : '';
  let d: string;
  let lx: number;
  let ly: number;
  let anchor = 'middle';
  const forward = a.node.kind !== 'rule' && (ranks.get(e.to) ?? 0) > (ranks.get(e.from) ?? 0);
  if (a.node.kind === 'rule') {
    // From the rules column to the step, entering from the right.
    const [x1, y1, x2, y2] = [a.x, a.y + a.h / 2, b.x + b.w, b.y + b.h / 2];
    d = `M${x1},${y1} C${x1 - 60},${y1} ${x2 + 60},${y2} ${x2},${y2}`;
    [lx, ly] = [(x1 + x2) / 2, (y1 + y2) / 2];
  } else if (forward && (ranks.get(e.to) ?? 0) - (ranks.get(e.from) ?? 0) > 1) {
    // Skipping rows: go round the left so the line never crosses the steps in between.
    const left = MARGIN - 8 + (lane % 6) * 3;
    const [x1, y1, x2, y2] = [a.x, a.y + a.h / 2 + 4, b.x, b.y + b.h / 2 - 4];
    d = `M${x1},${y1} C${left},${y1} ${left},${y1} ${left},${y1 + 20} L${left},${y2 - 20} C${left},${y2} ${left},${y2} ${x2},${y2}`;
    [lx, ly, anchor] = [left + 4, (y1 + y2) / 2, 'start'];
  } else if (forward) {
    const [x1, y1, x2, y2] = [a.x + a.w / 2, a.y + a.h, b.x + b.w / 2, b.y];
    const my = (y1 + y2) / 2;
    d = `M${x1},${y1} C${x1},${my} ${x2},${my} ${x2},${y2}`;
    [lx, ly] = [(x1 + x2) / 2, my];
  } else {
    // A loop goes back up along a lane on the right.
    const [x1, y1, x2, y2] = [a.x + a.w, a.y + a.h / 2, b.x + b.w, b.y + b.h / 2];
    d = `M${x1},${y1} L${lane},${y1} L${lane},${y2} L${x2},${y2}`;
    [lx, ly] = [lane, (y1 + y2) / 2];
  }
  const label = e.label
    ? `<text x="${lx}" y="${ly + 4}" text-anchor="${anchor}" font-size="11" fill="${color}" stroke="#ffffff" stroke-width="4" paint-order="stroke">${esc(e.label)}</text>`
    : '';
  return `<g class="edge"><path d="${d}" fill="none" stroke="${color}" stroke-width="1.4"${dash} marker-end="url(#arrow)"/>${label}</g>`;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
