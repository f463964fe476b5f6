/**
 * A small syntax highlighter for the three sandbox languages. It only has to make code readable for a reviewer,
 * not parse it: an ordered list of sticky patterns per language, first match wins, anything else is plain text.
 * Output is one escaped HTML string per source line, so lines can be numbered and marked individually.
 */
import type { Language } from '../../schemas/action.js';
import { escapeHtml } from './html.js';

export type TokenKind = 'comment' | 'string' | 'number' | 'keyword' | 'builtin' | 'function' | 'variable' | 'plain';

export interface Token {
  kind: TokenKind;
  text: string;
}

interface Grammar {
  /** Patterns tried in order at each position; they must be sticky (`y`). */
  rules: ReadonlyArray<{ kind: TokenKind; pattern: RegExp }>;
  keywords: ReadonlySet<string>;
  builtins: ReadonlySet<string>;
}

const IDENTIFIER = /[A-Za-z_$][\w$]*/y;
const WHITESPACE = /\s+/y;

const words = (list: string): ReadonlySet<string> => new Set(list.split(/\s+/).filter(Boolean));

const GRAMMARS: Record<Language, Grammar> = {
  python: {
    rules: [
      { kind: 'comment', pattern: /#.*/y },
      { kind: 'string', pattern: /[rbfuRBFU]{0,2}(?:"""[\s\S]*?(?:"""|$)|'''[\s\S]*?(?:'''|$))/y },
      { kind: 'string', pattern: /[rbfuRBFU]{0,2}(?:"(?:[^"\\\n]|\\.)*"?|'(?:[^'\\\n]|\\.)*'?)/y },
      { kind: 'number', pattern: /(?:0[xob][\da-fA-F_]+|\d[\d_]*(?:\.\d*)?(?:[eE][+-]?\d+)?j?)\b/y },
      { kind: 'function', pattern: /@[\w.]+/y },
    ],
    keywords: words(`and as assert async await break class continue def del elif else except finally for from global
      if import in is lambda nonlocal not or pass raise return try while with yield match case None True False`),
    builtins: words(`print len range open str int float list dict set tuple bool type isinstance enumerate zip map
      filter sorted sum min max abs input iter next repr format any all super object Exception self`),
  },
  node: {
    rules: [
      { kind: 'comment', pattern: /\/\/.*|\/\*[\s\S]*?(?:\*\/|$)/y },
      { kind: 'string', pattern: /`(?:[^`\\]|\\[\s\S])*`?/y },
      { kind: 'string', pattern: /"(?:[^"\\\n]|\\.)*"?|'(?:[^'\\\n]|\\.)*'?/y },
      { kind: 'number', pattern: /(?:0[xob][\da-fA-F_]+|\d[\d_]*(?:\.\d*)?(?:[eE][+-]?\d+)?n?)\b/y },
    ],
    keywords: words(`async await break case catch class const continue debugger default delete do else export extends
      finally for function if import in instanceof let new of return static super switch this throw try typeof var
      void while with yield null undefined true false`),
    builtins: words(`console require process module exports JSON Math Object Array String Number Promise Error Map Set
      Buffer setTimeout setInterval fetch globalThis`),
  },
  bash: {
    rules: [
      { kind: 'comment', pattern: /(?<![\w$])#.*/y },
      { kind: 'string', pattern: /'[^']*'?/y },
      { kind: 'string', pattern: /"(?:[^"\\]|\\[\s\S])*"?/y },
      { kind: 'variable', pattern: /\$\{[^}\n]*\}?|\$[\w@#?$!*-]/y },
      { kind: 'number', pattern: /\b\d+\b/y },
    ],
    keywords: words('if then else elif fi for while until do done case esac function in return local export select'),
    builtins: words(`echo printf cd read set unset test exit source eval exec shift trap true false pwd ls cat grep sed
      awk mkdir rm cp mv chmod curl wget sudo python3 node`),
  },
};

/** Splits code into tokens; concatenating their text gives the code back unchanged. */
export function tokenize(code: string, language: Language): Token[] {
  const grammar = GRAMMARS[language];
  const tokens: Token[] = [];
  let plain = '';
  const push = (kind: TokenKind, text: string) => {
    if (kind === 'plain') {
      plain += text;
      return;
    }
    if (plain) tokens.push({ kind: 'plain', text: plain });
    plain = '';
    tokens.push({ kind, text });
  };
  let position = 0;
  outer: while (position < code.length) {
    for (const rule of grammar.rules) {
      rule.pattern.lastIndex = position;
      const match = rule.pattern.exec(code);
      if (match && match[0].length > 0) {
        push(rule.kind, match[0]);
        position += match[0].length;
        continue outer;
      }
    }
    IDENTIFIER.lastIndex = position;
    const word = IDENTIFIER.exec(code);
    if (word) {
      const text = word[0];
      position += text.length;
      push(classifyWord(text, grammar, code, position), text);
      continue;
    }
    WHITESPACE.lastIndex = position;
    const space = WHITESPACE.exec(code);
    const text = space ? space[0] : (code[position] as string);
    push('plain', text);
    position += text.length;
  }
  if (plain) tokens.push({ kind: 'plain', text: plain });
  return tokens;
}

function classifyWord(word: string, grammar: Grammar, code: string, end: number): TokenKind {
  if (grammar.keywords.has(word)) return 'keyword';
  if (grammar.builtins.has(word)) return 'builtin';
  if (/^\s*\(/.test(code.slice(end, end + 40))) return 'function';
  return 'plain';
}

/** Highlighted code as escaped HTML, one entry per line (a token spanning lines is closed and reopened). */
export function highlightLines(code: string, language: Language): string[] {
  const lines: string[] = [''];
  for (const token of tokenize(code, language)) {
    const pieces = token.text.split('\n');
    pieces.forEach((piece, index) => {
      if (index > 0) lines.push('');
      if (piece === '') return;
      const escaped = escapeHtml(piece);
      const last = lines.length - 1;
      lines[last] += token.kind === 'plain' ? escaped : `<span class="tok-${token.kind}">${escaped}</span>`;
    });
  }
  // A trailing newline does not make an extra, empty line in an editor either.
  if (lines.length > 1 && lines[lines.length - 1] === '' && code.endsWith('\n')) lines.pop();
  return lines;
}
