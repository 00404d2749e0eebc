/**
 * Where everything of a journey diagram goes: ELK's layered layout (elkjs), top to bottom, with
 * orthogonal edges routed around the boxes and edge labels placed by the layout, so nothing is
 * drawn through a box or on top of another label. Boxes and labels are sized from their text with
 * the font metrics of text-metrics.ts before ELK sees them, so no text is clipped. The result is
 * plain geometry: graph-svg.ts draws it, and tests check it.
 */
import type { ELK, ElkExtendedEdge, ElkNode, ElkPoint } from 'elkjs/lib/elk-api';
import type { GraphEdge, GraphNode, JourneyGraph } from './graph';
import { textWidth, wrapText } from './text-metrics';

export interface Point {
  x: number;
  y: number;
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A line of text: `x` is its centre, `y` its baseline, `width` its measured advance. */
export interface TextLine {
  text: string;
  size: number;
  bold: boolean;
  width: number;
  x: number;
  y: number;
}

export interface LaidOutNode extends Rect {
  node: GraphNode;
  /** Corner radius: pills for the trigger and the ends, rounder corners for choices. */
  rx: number;
  lines: TextLine[];
}

export interface LaidOutLabel extends Rect {
  lines: TextLine[];
}

export interface LaidOutEdge {
  edge: GraphEdge;
  /** The routed polyline, from the source box's border to the target box's border. */
  points: Point[];
  label?: LaidOutLabel;
}

export interface JourneyLayout {
  width: number;
  height: number;
  title: TextLine;
  nodes: LaidOutNode[];
  edges: LaidOutEdge[];
}

/** ELK rejected the graph; `cause` is its error. */
export class GraphLayoutError extends Error {
  override readonly name = 'GraphLayoutError';
  constructor(title: string, cause: unknown) {
    super(`the diagram of ${title} could not be laid out: ${(cause as Error)?.message ?? String(cause)}`, { cause });
  }
}

/** Text sizes and spacing, in pixels; a baseline sits an ascent (0.905 em) below the top of its line. */
const BOX = { size: 12, line: 16, padX: 12, padY: 8, baseline: 12, wrap: 220, minWidth: 90 };
const LABEL = { size: 11, line: 13, padX: 3, padY: 1, baseline: 10, wrap: 160 };
const TITLE_SIZE = 15;
const MARGIN = 24;
/** Below the title, before the first box. */
const TITLE_SPACE = 36;

const LAYOUT_OPTIONS: Record<string, string> = {
  'elk.algorithm': 'layered',
  'elk.direction': 'DOWN',
  'elk.edgeRouting': 'ORTHOGONAL',
  // Keep the journey's own order (branch cases left to right, `otherwise` last) where it costs
  // no crossings: the diagram then reads like the document.
  'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
  // Brandes-Köpf lines up a step with the one it follows: the main path of a journey runs straight.
  'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
  'elk.spacing.nodeNode': '32',
  'elk.layered.spacing.nodeNodeBetweenLayers': '36',
  'elk.spacing.edgeNode': '16',
  'elk.layered.spacing.edgeNodeBetweenLayers': '16',
  'elk.spacing.edgeEdge': '12',
  'elk.layered.spacing.edgeEdgeBetweenLayers': '12',
  'elk.spacing.edgeLabel': '4',
  'elk.spacing.nodeSelfLoop': '24',
  'elk.spacing.componentComponent': '48',
  'elk.padding': `[top=${MARGIN + TITLE_SPACE},left=${MARGIN},bottom=${MARGIN},right=${MARGIN}]`,
};
/** On its edge, the line broken by the label: which edge a label belongs to is never in doubt. */
const LABEL_OPTIONS: Record<string, string> = { 'elk.edgeLabels.inline': 'true' };

let elk: Promise<ELK> | undefined;
/** ELK is 1.6 MB of JavaScript: loaded on the first diagram, not by everything that imports the server. */
function layoutEngine(): Promise<ELK> {
  elk ??= import('elkjs/lib/elk.bundled.js').then((m) => new m.default());
  return elk;
}

/** Lay out a journey graph: every box, routed edge and label with its coordinates. */
export async function layoutJourney(g: JourneyGraph): Promise<JourneyLayout> {
  const boxes = g.nodes.map(measureNode);
  const labels = g.edges.map((e) => (e.label ? measureLabel(e.label) : undefined));
  const input: ElkNode = {
    id: '__root',
    layoutOptions: LAYOUT_OPTIONS,
    children: boxes.map((b) => ({ id: b.node.id, width: b.width, height: b.height })),
    edges: g.edges.map(
      (e, i): ElkExtendedEdge => ({
        id: `__edge${i}`,
        sources: [e.from],
        targets: [e.to],
        labels: (labels[i] ? [labels[i]] : []).map((l) => ({
          id: `__label${i}`,
          text: e.label,
          width: l.width,
          height: l.height,
          layoutOptions: LABEL_OPTIONS,
        })),
      }),
    ),
  };
  let out: ElkNode;
  try {
    out = await (await layoutEngine()).layout(input);
  } catch (err) {
    throw new GraphLayoutError(g.title, err);
  }
  const placed = new Map((out.children ?? []).map((c) => [c.id, c]));
  const nodes = boxes.map((b) => {
    const at = placed.get(b.node.id);
    return placeNode(b, round(at?.x ?? 0), round(at?.y ?? 0));
  });
  const edges = g.edges.map((edge, i): LaidOutEdge => {
    const routed = out.edges?.[i];
    const points = (routed?.sections ?? []).flatMap((s) => [s.startPoint, ...(s.bendPoints ?? []), s.endPoint]);
    const at = routed?.labels?.[0];
    const sized = labels[i];
    return {
      edge,
      points: dedupe(points),
      label: sized && at ? placeLabel(sized, round(at.x ?? 0), round(at.y ?? 0)) : undefined,
    };
  });
  const titleWidth = textWidth(g.title, TITLE_SIZE, true);
  const title = { text: g.title, size: TITLE_SIZE, bold: true, width: titleWidth };
  return {
    width: Math.ceil(Math.max(out.width ?? 0, titleWidth + 2 * MARGIN)),
    height: Math.ceil(out.height ?? 0),
    title: { ...title, x: MARGIN + titleWidth / 2, y: MARGIN + TITLE_SIZE },
    nodes,
    edges,
  };
}

interface Measured {
  text: string;
  bold: boolean;
  width: number;
}

interface SizedNode {
  node: GraphNode;
  texts: Measured[];
  width: number;
  height: number;
  rx: number;
}

interface SizedLabel {
  texts: Measured[];
  width: number;
  height: number;
}

function measureNode(node: GraphNode): SizedNode {
  const detail = node.detail && node.detail !== node.title ? node.detail : '';
  const texts = [
    { text: node.title, bold: true, width: textWidth(node.title, BOX.size, true) },
    ...wrapText(detail, BOX.size, BOX.wrap).map((text) => ({ text, bold: false, width: textWidth(text, BOX.size) })),
  ];
  const height = 2 * BOX.padY + BOX.line * texts.length;
  const rx = cornerRadius(node.kind, height);
  // A pill's rounded ends reach in over the first and last lines: pad by how far the curve has
  // come in at the top of the text.
  const inset = rx - Math.sqrt(rx * rx - Math.max(0, rx - BOX.padY) ** 2);
  const width = Math.ceil(Math.max(BOX.minWidth, ...texts.map((t) => t.width)) + 2 * (BOX.padX + inset));
  return { node, texts, width, height, rx };
}

function cornerRadius(kind: GraphNode['kind'], height: number): number {
  if (kind === 'start' || kind === 'end') return height / 2;
  if (kind === 'branch' || kind === 'split') return 14;
  return 6;
}

function placeNode(b: SizedNode, x: number, y: number): LaidOutNode {
  const lines = b.texts.map(
    (t, i): TextLine => ({
      ...t,
      size: BOX.size,
      x: x + b.width / 2,
      y: y + BOX.padY + BOX.baseline + i * BOX.line,
    }),
  );
  return { node: b.node, x, y, width: b.width, height: b.height, rx: b.rx, lines };
}

function measureLabel(text: string): SizedLabel {
  const texts = wrapText(text, LABEL.size, LABEL.wrap).map((t) => ({
    text: t,
    bold: false,
    width: textWidth(t, LABEL.size),
  }));
  return {
    texts,
    width: Math.ceil(Math.max(...texts.map((t) => t.width)) + 2 * LABEL.padX),
    height: 2 * LABEL.padY + LABEL.line * texts.length,
  };
}

function placeLabel(l: SizedLabel, x: number, y: number): LaidOutLabel {
  const lines = l.texts.map(
    (t, i): TextLine => ({
      ...t,
      size: LABEL.size,
      x: x + l.width / 2,
      y: y + LABEL.padY + LABEL.baseline + i * LABEL.line,
    }),
  );
  return { x, y, width: l.width, height: l.height, lines };
}

/**
 * Hundredths of a pixel: ELK's arithmetic leaves 468.8333333333333 and 468.83333333333337 at the
 * two ends of a vertical run, which would draw (and test) as a slant.
 */
function round(v: number): number {
  return Math.round(v * 100) / 100;
}

/** ELK repeats a point where one section ends and the next begins; a polyline needs it once. */
function dedupe(points: ElkPoint[]): Point[] {
  const rounded = points.map((p) => ({ x: round(p.x), y: round(p.y) }));
  return rounded.filter((p, i) => i === 0 || p.x !== rounded[i - 1].x || p.y !== rounded[i - 1].y);
}
