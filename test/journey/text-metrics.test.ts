/** Text widths from the diagram font's metrics, and where diagram text breaks into lines. */
import { textWidth, wrapText } from '../../lib/journey/text-metrics';

describe('textWidth', () => {
  it("adds up Helvetica's advance widths (thousandths of an em) at the size asked", () => {
    // o 556, t 278, h 556, e 556, r 333, w 722, i 222, s 500, e 556.
    expect(textWidth('otherwise', 11)).toBeCloseTo((4279 * 11) / 1000, 9);
    // Bold: W 944, i 278, n 611.
    expect(textWidth('Win', 10, true)).toBeCloseTo(18.33, 9);
    expect(textWidth('≥ →', 12)).toBeCloseTo(((549 + 278 + 1000) * 12) / 1000, 9);
  });

  it('counts a character the table does not know as a full em, so a box errs wide', () => {
    expect(textWidth('東京', 12)).toBe(24);
    expect(textWidth('🙂', 10)).toBe(10);
  });
});

describe('wrapText', () => {
  it('breaks into as few lines as fit, then evens them out instead of leaving an orphan', () => {
    const text = 'hand off to phone with caseId, orderId, reason, openedOn';
    // Filling the first line would leave "reason, openedOn" alone on the second.
    expect(textWidth('hand off to phone with caseId, orderId,', 12)).toBeLessThan(220);
    expect(wrapText(text, 12, 220)).toEqual(['hand off to phone with caseId,', 'orderId, reason, openedOn']);
  });

  it('keeps both sides of a comparison or an arrow on one line', () => {
    const lines = wrapText('wait for order.placed where cartId = trigger.data.cartId, up to P1D', 12, 220);
    expect(lines).toEqual(['wait for order.placed where', 'cartId = trigger.data.cartId, up to P1D']);
    expect(wrapText('a → b', 12, 1)).toEqual(['a → b']);
  });

  it('gives a word wider than the limit a line of its own, and nothing to an empty text', () => {
    expect(wrapText('set renewalReminderChannelPreferenceForThisAccount now', 12, 120)).toEqual([
      'set',
      'renewalReminderChannelPreferenceForThisAccount',
      'now',
    ]);
    expect(wrapText('', 12, 100)).toEqual([]);
  });
});
