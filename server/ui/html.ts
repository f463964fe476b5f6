/**
 * A tiny HTML template tag: every interpolated value is escaped unless it is already SafeHtml, so a page can only
 * contain markup its own templates wrote. Values from runs (code, output, reasons, agent names) are untrusted.
 */
import { escapeHiddenCharacters } from '../../schemas/hidden-characters.js';

/** Markup that has been escaped or written by a template; safe to put into a page as it is. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Escapes text for use in element content and in quoted attribute values. Hidden characters (control, bidi,
 * zero-width) become visible escapes first, so no page shows text that reads differently from what runs.
 */
export function escapeHtml(text: string): string {
  return escapeHiddenCharacters(text).replace(/[&<>"']/g, (char) => ESCAPES[char] as string);
}

/** A value a template may interpolate: nested lists are joined, null/undefined/false render nothing. */
export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

/** Tagged template: `html\`<p>${text}</p>\`` escapes `text`. */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i += 1) out += render(values[i] as HtmlValue) + (strings[i + 1] ?? '');
  return new SafeHtml(out);
}

/** Marks text the caller has already escaped (for markup built piece by piece, like highlighted code). */
export function trustedHtml(markup: string): SafeHtml {
  return new SafeHtml(markup);
}
