/** The "who are you?" dialog: a name and a colour. Shown on first visit and from the people list. */
import { LIMITS } from '../../../shared/protocol.ts';
import { PERSON_COLORS } from '../palette.ts';
import { h } from './dom.ts';

export interface Profile {
  name: string;
  color: string;
}

/** Opens the dialog; resolves with the chosen profile (or null if dismissed and `dismissable`). */
export function askProfile(
  initial: Profile,
  opts: { title: string; dismissable: boolean },
): Promise<Profile | null> {
  return new Promise((resolve) => {
    let color = initial.color;
    const input = h('input.text-input', {
      type: 'text',
      value: initial.name,
      maxLength: LIMITS.maxNameLength,
      placeholder: 'e.g. Ada',
      autocomplete: 'nickname',
      'aria-label': 'Your name',
    });
    const swatches = h('div.swatches');
    const custom = h('input.swatch-custom', { type: 'color', value: color, title: 'Custom colour' });
    const paint = (): void => {
      for (const el of swatches.querySelectorAll<HTMLElement>('.swatch')) {
        el.classList.toggle('selected', el.dataset.color === color);
      }
      preview.style.background = color;
      preview.textContent = initials(input.value || '?');
    };
    for (const c of PERSON_COLORS) {
      swatches.append(
        h('button.swatch', {
          type: 'button',
          'data-color': c,
          style: `--swatch:${c}`,
          title: c,
          'aria-label': `Colour ${c}`,
          onclick: () => {
            color = c;
            custom.value = c;
            paint();
          },
        }),
      );
    }
    custom.addEventListener('input', () => {
      color = custom.value;
      paint();
    });
    swatches.append(custom);
    const preview = h('div.avatar.large');
    const submit = h('button.btn.primary', { type: 'submit' }, 'Continue');
    const form = h(
      'form.dialog',
      { role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'profile-title' },
      h('div.dialog-head', {}, preview, h('h2#profile-title', {}, opts.title)),
      h('label.field-label', {}, 'Your name'),
      input,
      h('label.field-label', {}, 'Your colour'),
      swatches,
      h(
        'div.dialog-actions',
        {},
        opts.dismissable
          ? h('button.btn', { type: 'button', onclick: () => close(null) }, 'Cancel')
          : h('span', {}, 'Others see this next to your cursor.'),
        submit,
      ),
    );
    const backdrop = h('div.backdrop', {}, form);
    const close = (result: Profile | null): void => {
      backdrop.remove();
      resolve(result);
    };
    const validate = (): void => {
      submit.disabled = input.value.trim().length === 0;
      paint();
    };
    input.addEventListener('input', validate);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const name = input.value.trim().slice(0, LIMITS.maxNameLength);
      if (name) close({ name, color });
    });
    form.addEventListener('keydown', (e) => {
      e.stopPropagation();
      if (e.key === 'Escape' && opts.dismissable) close(null);
    });
    if (opts.dismissable)
      backdrop.addEventListener('pointerdown', (e) => e.target === backdrop && close(null));
    document.body.append(backdrop);
    validate();
    input.focus();
    input.select();
  });
}

/** One or two initials for an avatar. */
export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const first = parts[0]?.[0] ?? '?';
  const second = parts.length > 1 ? (parts[parts.length - 1]?.[0] ?? '') : '';
  return (first + second).toUpperCase();
}
