/** `baton graph`: every step, edge label and rule of a journey appears in the diagram. */
import { readFileSync } from 'node:fs';
import { journeyGraph } from '../../lib/journey/graph';
import { renderMermaid } from '../../lib/journey/graph-mermaid';
import { graphSvg } from '../../lib/journey/graph-svg';
import { journeyFiles } from '../../lib/journey/load';
import { loadValid } from '../helpers';

describe('journey graph', () => {
  const support = loadValid('workflows/support-case.json').journey;

  it('has a node per step plus the trigger and the rules, and an edge per transition', () => {
    const g = journeyGraph(support);
    expect(g.nodes.map((n) => n.id)).toEqual(
      expect.arrayContaining([...Object.keys(support.steps), '__start', '__escalation_long-session', '__exits']),
    );
    expect(g.edges).toEqual(
      expect.arrayContaining([
        { from: 'await-call-request', to: 'offer-callback', label: 'case.call_requested', style: 'normal' },
        { from: 'await-call-request', to: 'check-in', label: 'after P2D', style: 'alternate' },
        { from: 'schedule-callback', to: 'apologize', label: 'error', style: 'alternate' },
        { from: '__escalation_long-session', to: 'offer-callback', label: 'any step', style: 'escalation' },
      ]),
    );
  });

  it('labels branch edges with their conditions in words and split edges with their shares', () => {
    const survey = journeyGraph(loadValid('workflows/post-resolution-survey.json').journey);
    expect(survey.edges).toContainEqual({
      from: 'score',
      to: 'call-detractor',
      label: 'events.await-answer.data.score ≤ 6',
      style: 'normal',
    });
    const winBack = journeyGraph(loadValid('workflows/win-back.json').journey);
    expect(winBack.edges.filter((e) => e.from === 'holdout').map((e) => e.label)).toEqual(['90%', '10% holdout']);
  });

  it.each(journeyFiles(['workflows']))(
    'renders %s as Mermaid and as well-formed SVG naming every step',
    async (file) => {
      const journey = loadValid(file).journey;
      const g = journeyGraph(journey);
      const mermaid = renderMermaid(g);
      expect(mermaid).toMatch(/^---\ntitle: .*\n---\nflowchart TD\n/);
      const svg = await graphSvg(g);
      expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
      expect(svg.trim().endsWith('</svg>')).toBe(true);
      for (const id of Object.keys(journey.steps)) {
        expect(mermaid).toContain(`<b>${id}</b>`);
        expect(svg).toContain(`data-step="${id}"`);
      }
      // Balanced elements: every <g> and <text> closes.
      expect(svg.match(/<g /g)?.length).toBe(svg.match(/<\/g>/g)?.length);
      expect(svg.match(/<text /g)?.length).toBe(svg.match(/<\/text>/g)?.length);
    },
  );

  it('has docs/cart-recovery.svg as baton graph cart-recovery --format svg draws it today', async () => {
    const svg = await graphSvg(journeyGraph(loadValid('workflows/cart-recovery.json').journey));
    expect(readFileSync('docs/cart-recovery.svg', 'utf8')).toBe(svg);
  });
});
