/**
 * Characters that can make text read differently from what runs: control characters (ANSI escapes among them),
 * bidirectional overrides and isolates, and zero-width characters. Every rendering of agent-supplied text shows
 * them as visible `\u{...}` escapes, and the risk rules raise a finding for them. Pure: shared by every layer.
 */

/** One hidden character (tab, newline and carriage return are ordinary text). */
export const HIDDEN_CHARACTER_SOURCE =
  '[\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u061C\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u2064\\u2066-\\u2069\\uFEFF]';

const HIDDEN = new RegExp(HIDDEN_CHARACTER_SOURCE, 'g');

/** True when the text holds any hidden character. */
export function hasHiddenCharacters(text: string): boolean {
  return new RegExp(HIDDEN_CHARACTER_SOURCE).test(text);
}

/** The text with every hidden character replaced by a visible escape such as `\u{202E}`. */
export function escapeHiddenCharacters(text: string): string {
  return text.replace(HIDDEN, (char) => `\\u{${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}}`);
}
