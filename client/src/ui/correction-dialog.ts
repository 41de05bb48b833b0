/** Correcting a label: the recognised digits, editable with the keyboard or a digit pad; resolves the new text. */
import { CorrectionTextSchema } from '../../../shared/protocol.ts';
import { h } from './dom.ts';

export function askCorrection(current: string, alternatives: string[]): Promise<string | null> {
  return new Promise((resolve) => {
    const input = h('input.text-input.digits-input', {
      type: 'text',
      inputmode: 'numeric',
      value: current,
      'aria-label': 'The right digits',
      'data-testid': 'correction-input',
      autocomplete: 'off',
    });
    const error = h('p.field-error', { role: 'alert' });
    const pad = h(
      'div.digit-pad',
      {},
      ...'1234567890'
        .split('')
        .map((d) =>
          h('button.btn.digit', { type: 'button', onclick: () => ((input.value += d), input.focus()) }, d),
        ),
      h(
        'button.btn.digit',
        { type: 'button', 'aria-label': 'Delete', onclick: () => (input.value = input.value.slice(0, -1)) },
        '⌫',
      ),
    );
    const quick = alternatives.length
      ? h(
          'div.quick-picks',
          {},
          h('span.muted.small', {}, 'Maybe: '),
          ...alternatives.map((a) =>
            h('button.btn.small', { type: 'button', onclick: () => (input.value = a) }, a),
          ),
        )
      : null;
    const form = h(
      'form.dialog.correction-dialog',
      {
        role: 'dialog',
        'aria-modal': 'true',
        'aria-labelledby': 'correction-title',
        'data-testid': 'correction',
      },
      h('div.dialog-head', {}, h('h2#correction-title', {}, 'Correct this label')),
      h('label.field-label', {}, 'The right digits'),
      input,
      quick,
      pad,
      error,
      h(
        'div.dialog-actions',
        {},
        h('button.btn', { type: 'button', onclick: () => close(null) }, 'Cancel'),
        h('button.btn.primary', { type: 'submit', 'data-testid': 'correction-save' }, 'Save'),
      ),
    );
    const backdrop = h('div.backdrop', {}, form);
    const close = (v: string | null) => {
      backdrop.remove();
      resolve(v);
    };
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const parsed = CorrectionTextSchema.safeParse(input.value.trim().replace(/\s+/g, ' '));
      if (!parsed.success) {
        error.textContent = 'Type digits only (groups may be separated by a space).';
        return;
      }
      close(parsed.data);
    });
    form.addEventListener('keydown', (e) => {
      e.stopPropagation();
      if (e.key === 'Escape') close(null);
    });
    backdrop.addEventListener('pointerdown', (e) => e.target === backdrop && close(null));
    document.body.append(backdrop);
    input.focus();
    input.select();
  });
}
