/**
 * Tree-sitter parsers for the three languages, initialised once per process and reused: loading the WASM runtime
 * and grammars costs tens of milliseconds, parsing one action a few. The grammars ship prebuilt in the package, so
 * nothing is fetched or compiled at run time.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Language as Grammar, Node, Parser, Tree } from '@vscode/tree-sitter-wasm';
import type { Language } from '../../schemas/action.js';
import type { ParseBudget } from './parse-budget.js';

export type SyntaxNode = Node;
export type SyntaxTree = Tree;

const GRAMMAR_FILES: Readonly<Record<Language, string>> = {
  python: 'tree-sitter-python.wasm',
  node: 'tree-sitter-javascript.wasm',
  bash: 'tree-sitter-bash.wasm',
};

type TreeSitter = typeof import('@vscode/tree-sitter-wasm');

let loading: Promise<Readonly<Record<Language, Parser>>> | undefined;

async function load(): Promise<Readonly<Record<Language, Parser>>> {
  const require = createRequire(import.meta.url);
  const entry = require.resolve('@vscode/tree-sitter-wasm');
  const dir = path.dirname(entry);
  const ts = require(entry) as TreeSitter;
  await ts.Parser.init({ locateFile: (file: string) => path.join(dir, file) });
  const parsers = {} as Record<Language, Parser>;
  for (const language of Object.keys(GRAMMAR_FILES) as Language[]) {
    const grammar: Grammar = await ts.Language.load(path.join(dir, GRAMMAR_FILES[language]));
    const parser = new ts.Parser();
    parser.setLanguage(grammar);
    parsers[language] = parser;
  }
  return parsers;
}

/** The process's parsers; the first call loads them, later calls share the same promise. */
export function syntaxParsers(): Promise<Readonly<Record<Language, Parser>>> {
  loading ??= load().catch((err: unknown) => {
    loading = undefined;
    throw err;
  });
  return loading;
}

/**
 * Parses `code` and hands the tree to `use`, freeing it afterwards (trees live in WASM memory, not the JS heap).
 * Synchronous once the parsers are loaded, so two analyses never interleave on one parser. With a `budget`, the
 * parse counts its progress steps against it and is cancelled once it is spent: then `use` is not called and the
 * result is undefined (the budget says where the parser stopped).
 */
export function withSyntaxTree<T>(
  parsers: Readonly<Record<Language, Parser>>,
  language: Language,
  code: string,
  use: (tree: Tree) => T,
  timed: PhaseTimer = untimed,
  budget?: ParseBudget,
): T | undefined {
  const parser = parsers[language];
  const tree = timed('parseMs', () => parser.parse(code, null, budget ? { progressCallback: budget.step } : undefined));
  if (!tree) {
    // A cancelled parser resumes the cancelled text on its next call unless it is reset.
    parser.reset();
    if (budget?.exhausted) return undefined;
    throw new Error(`the ${language} parser returned no tree`);
  }
  try {
    return timed('analyseMs', () => use(tree));
  } finally {
    timed('freeMs', () => tree.delete());
  }
}

/** Runs one step of scoring, possibly timing it (the benchmark's per-phase numbers). */
export type PhaseTimer = <T>(phase: 'parseMs' | 'analyseMs' | 'freeMs', run: () => T) => T;

const untimed: PhaseTimer = (_phase, run) => run();

/** 1-based line of a node. */
export function lineOf(node: Node): number {
  return node.startPosition.row + 1;
}

/**
 * The nodes of the given types found from a token each of them has as a child of its own (`import` for an import
 * statement, `[` for a subscript), in the order a walk of the tree visits them. Looking the token's text up where
 * it appears in the code is far cheaper than walking the whole tree when the text is rare; a match in a string or
 * comment is a different token and is passed over.
 */
export function nodesByToken(root: Node, code: string, token: RegExp, types: ReadonlySet<string>): Node[] {
  const found: Node[] = [];
  for (const m of code.matchAll(token)) {
    const index = m.index ?? 0;
    const node = root.descendantForIndex(index, index + m[0].length);
    const parent = node?.type === m[0] ? node.parent : null;
    if (parent && types.has(parent.type)) found.push(parent);
  }
  // The order of a walk of the tree (an outer node before the nodes it contains, as in `a[i][j]`), so findings
  // come out in the same order as before.
  const spans = new Map(found.map((node) => [node.id, [node.startIndex, node.endIndex] as const]));
  const span = (node: Node) => spans.get(node.id)!;
  return found.sort((a, b) => span(a)[0] - span(b)[0] || span(b)[1] - span(a)[1]);
}
