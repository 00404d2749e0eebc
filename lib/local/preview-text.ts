/** How `baton preview` prints its messages: each one headed by step and channel, its missing variables after it. */
import type { PreviewMessage } from '../core/preview';

/** The preview as text lines, and whether anything needs fixing (a missing variable or a template that failed). */
export function previewText(
  journey: string,
  customerId: string,
  messages: PreviewMessage[],
): { lines: string[]; flagged: boolean } {
  const lines: string[] = [];
  let flagged = false;
  for (const m of messages) {
    lines.push(`== ${journey} · ${m.step} · ${m.channel} for ${customerId} (${m.file})`);
    if (m.error) {
      flagged = true;
      lines.push(`error: ${m.error}`, '');
      continue;
    }
    if (m.rendered?.subject !== undefined) lines.push(`Subject: ${m.rendered.subject}`);
    lines.push(...(m.rendered?.body ?? '').split('\n'));
    for (const v of m.missing) {
      flagged = true;
      lines.push(`missing: ${v.variable} rendered empty at ${v.file} line ${v.line}, column ${v.column}`);
    }
    lines.push('');
  }
  if (!messages.length) lines.push(`${journey} has no send step`);
  return { lines, flagged };
}
