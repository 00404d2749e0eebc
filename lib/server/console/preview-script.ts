/**
 * The preview panel of the console's journey page, as browser script text run before script.ts:
 * a customer and a send step chosen, the messages rendered for them (GET /journeys/{id}/preview),
 * with the variables that rendered empty listed by file and line. What was chosen is kept, so a
 * refresh of the page (on its own, every few seconds) renders the same preview again.
 * Kept free of backticks and dollar-braces because it lives inside a template literal.
 */
// biome-ignore lint/complexity/noUselessStringRaw: raw like the console's other scripts, so a regex added later keeps its backslashes
export const PREVIEW_SCRIPT = String.raw`
'use strict';
/** The preview chosen on this journey's page: { journey, customer, step }. */
let previewChoice;
/** What is in the form, submitted or not: { journey, customer, step }. */
let previewDraft;

function previewForm(j) {
  const kept = previewDraft && previewDraft.journey === j.id ? previewDraft
    : previewChoice && previewChoice.journey === j.id ? previewChoice : { customer: '', step: '' };
  const input = el('input', { id: 'preview-customer', name: 'customer', value: kept.customer, placeholder: 'c-ana', required: '' });
  const sends = j.steps.filter((s) => s.type === 'send');
  const select = el('select', { id: 'preview-step', name: 'step' },
    el('option', { value: '' }, 'every send step'),
    sends.map((s) => el('option', Object.assign({ value: s.id }, kept.step === s.id ? { selected: '' } : {}), s.id)));
  const form = el('form', { class: 'preview' },
    el('label', { for: 'preview-customer' }, 'Customer'), input,
    el('label', { for: 'preview-step' }, 'Step'), select,
    el('button', { type: 'submit' }, 'Preview'));
  // What is typed is kept too, before it is submitted: a refresh draws the form again.
  const keep = () => {
    previewDraft = { journey: j.id, customer: input.value, step: select.value };
  };
  input.addEventListener('input', keep);
  select.addEventListener('change', keep);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    previewChoice = { journey: j.id, customer: input.value.trim(), step: select.value };
    input.blur();
    void showPreview();
  });
  return el('div', {}, el('p', { class: 'hint' }, 'The messages of this journey rendered for a customer, as they would be sent now; a variable that renders empty is listed with its file and line.'),
    form, el('section', { class: 'preview-out', 'aria-label': 'Preview messages', 'aria-live': 'polite' }));
}

/** Render the chosen preview again when the page is drawn again. */
function restorePreview(j) {
  if (previewChoice && previewChoice.journey === j.id && previewChoice.customer) return showPreview();
}

async function showPreview() {
  const out = document.querySelector('section.preview-out');
  if (!out || !previewChoice) return;
  const c = previewChoice;
  const q = new URLSearchParams({ customerId: c.customer });
  if (c.step) q.set('step', c.step);
  try {
    const { messages } = await getJson('/journeys/' + encodeURIComponent(c.journey) + '/preview?' + q.toString());
    out.replaceChildren(...messages.map((m) => el('article', { 'data-step': m.step, 'data-channel': m.channel },
      el('h4', {}, m.step + ' · ' + m.channel, el('small', {}, ' ' + m.file)),
      m.error ? el('p', { class: 'missing' }, m.error) : [
        m.rendered.subject !== undefined ? el('strong', { class: 'subject' }, m.rendered.subject) : null,
        el('pre', { class: 'body' }, m.rendered.body)],
      m.missing.length ? el('ul', { class: 'missing' }, m.missing.map((v) =>
        el('li', {}, v.variable + ' rendered empty at ' + v.file + ' line ' + v.line + ', column ' + v.column))) : null)));
    if (!messages.length) out.replaceChildren(el('p', { class: 'empty' }, 'This journey has no send step.'));
  } catch (err) {
    out.replaceChildren(el('p', { class: 'missing' }, err.message));
  }
}
`;
