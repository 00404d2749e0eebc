/** A journey graph as a Mermaid flowchart (paste into GitHub, Notion or mermaid.live). */
import type { GraphNode, JourneyGraph } from './graph';

const SHAPES: Record<GraphNode['kind'], [string, string]> = {
  start: ['([', '])'],
  wait: ['[/', '/]'],
  send: ['[', ']'],
  waitFor: ['{{', '}}'],
  branch: ['{', '}'],
  split: ['{', '}'],
  handoff: ['[[', ']]'],
  action: ['[[', ']]'],
  update: ['[', ']'],
  end: ['((', '))'],
  rule: ['>', ']'],
};

/** Mermaid ids: letters, digits and underscores, never a keyword such as `end`. */
function idOf(id: string): string {
  return `n_${id.replace(/[^A-Za-z0-9]/g, '_')}`;
}

/** Text inside quotes, with Mermaid's entity for a quote. */
function text(s: string): string {
  return s.replace(/"/g, '#quot;').replace(/\n/g, ' ');
}

/** Render a journey graph as a Mermaid `flowchart TD`. */
export function renderMermaid(g: JourneyGraph): string {
  const lines = ['---', `title: ${text(g.title)}`, '---', 'flowchart TD'];
  for (const n of g.nodes) {
    const [open, close] = SHAPES[n.kind];
    const label =
      n.detail && n.detail !== n.title ? `<b>${text(n.title)}</b><br/>${text(n.detail)}` : `<b>${text(n.title)}</b>`;
    lines.push(`  ${idOf(n.id)}${open}"${label}"${close}`);
  }
  for (const e of g.edges) {
    const arrow = e.style === 'escalation' ? '-.->' : e.style === 'alternate' ? '-->' : '-->';
    const label = e.label ? `|"${text(e.label)}"|` : '';
    lines.push(`  ${idOf(e.from)} ${arrow}${label} ${idOf(e.to)}`);
  }
  lines.push('  classDef rule fill:#fff4e5,stroke:#d97706,color:#7c2d12');
  lines.push('  classDef send fill:#e0f2fe,stroke:#0284c7');
  const ofKind = (k: GraphNode['kind']) => g.nodes.filter((n) => n.kind === k).map((n) => idOf(n.id));
  if (ofKind('rule').length) lines.push(`  class ${ofKind('rule').join(',')} rule`);
  if (ofKind('send').length) lines.push(`  class ${ofKind('send').join(',')} send`);
  return `${lines.join('\n')}\n`;
}
