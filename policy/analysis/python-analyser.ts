/**
 * Python analysis over a tree-sitter syntax tree. Imports are resolved to qualified names (`import os as o` makes
 * `o.system` mean `os.system`), string constants are folded (`'o' + 's'`, `'metsys'[::-1]`, `''.join([...])`), and
 * every use of a module, of a builtin that reaches the interpreter, or of a reflective attribute is judged. A use
 * is fine only when it is positively known: on the policy's safe list, or plain computation.
 */
import { lineOf, nodesByToken, type SyntaxNode, type SyntaxTree } from './parsers.js';
import {
  escapeRegExp,
  hasSafeMembers,
  isUnderSafe,
  isWorkspacePath,
  joinPath,
  ReportBuilder,
  type AnalyserContext,
  type AnalyserReport,
} from './analysis-result.js';
import { PYTHON_ESCAPE_MEMBERS } from './safe-modules.js';

/** Builtins that execute, import, reflect or touch files: each use is judged on its own. */
const RISKY_BUILTINS = new Set([
  'exec', 'eval', 'compile', '__import__', 'getattr', 'setattr', 'delattr', 'globals', 'locals', 'vars', 'open',
  'breakpoint', 'help', '__builtins__', '__loader__', '__spec__', 'memoryview', 'input',
]);

const IMPORT_STATEMENTS = new Set(['import_statement', 'import_from_statement']);

/** Dunder attributes of ordinary object protocol; any other dunder is reflection. */
const PLAIN_DUNDERS = new Set([
  '__init__', '__name__', '__doc__', '__qualname__', '__len__', '__str__', '__repr__', '__eq__', '__ne__', '__lt__',
  '__le__', '__gt__', '__ge__', '__hash__', '__iter__', '__next__', '__enter__', '__exit__', '__getitem__',
  '__setitem__', '__contains__', '__add__', '__sub__', '__mul__', '__post_init__', '__version__', '__all__',
  '__slots__', '__bool__', '__format__', '__main__', '__future__',
]);

/** Filesystem functions judged like open(): by the path they are given (workspace and /tmp only). */
const PATH_FUNCTIONS = new Set(['os.makedirs', 'os.mkdir', 'os.listdir', 'os.scandir', 'os.walk', 'os.stat', 'shutil.copy', 'shutil.copyfile']);

/** Attributes that lead from any object to frames, globals or code. */
const FRAME_ATTRIBUTES = [
  'f_globals', 'f_locals', 'f_back', 'f_builtins', 'f_code', 'gi_frame', 'gi_code', 'cr_frame', 'ag_frame', 'tb_frame',
  'tb_next', 'co_code', 'func_globals',
];

/** Calls whose result is data decoded from something unreadable. */
const DECODERS = /\b(?:b64decode|b32decode|b16decode|b85decode|a85decode|decodebytes|unhexlify|fromhex|decompress|decode|rot13|rot_13|loads)\b/;

interface Category {
  ruleId: string;
  test: (name: string) => boolean;
}

const prefix = (...names: string[]) => (name: string) => names.some((n) => name === n || name.startsWith(`${n}.`));

/** Qualified names with a meaning of their own, checked before the safe list (first match wins). */
const CATEGORIES: readonly Category[] = [
  { ruleId: 'py.os-system', test: (n) => /^os\.(?:system|popen\d?|exec\w*|spawn\w*|posix_spawnp?|fork\w*)$/.test(n) || prefix('pty', 'commands')(n) },
  { ruleId: 'py.subprocess', test: (n) => prefix('subprocess', 'asyncio.create_subprocess_exec', 'asyncio.create_subprocess_shell')(n) },
  { ruleId: 'py.ctypes', test: prefix('ctypes', '_ctypes', 'cffi') },
  {
    ruleId: 'py.network',
    test: prefix('socket', '_socket', 'urllib', 'http', 'requests', 'httpx', 'aiohttp', 'ftplib', 'smtplib', 'poplib', 'imaplib', 'telnetlib', 'paramiko', 'ssl', 'xmlrpc', 'websocket', 'websockets', 'asyncio.open_connection', 'socketserver'),
  },
  { ruleId: 'py.delete-files', test: (n) => /^(?:shutil\.rmtree|os\.(?:remove|unlink|rmdir|removedirs|truncate))$/.test(n) },
  { ruleId: 'py.dynamic-import', test: prefix('importlib', 'imp', 'pkgutil', 'runpy', 'zipimport') },
  { ruleId: 'py.reflection', test: (n) => prefix('builtins', 'sys.modules', 'sys._getframe', 'sys.settrace', 'sys.setprofile', 'inspect', 'gc', 'types', 'ast', '__main__')(n) || n.startsWith('sys._') },
  { ruleId: 'py.dynamic-code', test: prefix('pickle', 'cPickle', '_pickle', 'marshal', 'shelve', 'dill', 'code', 'codeop', 'pdb') },
];

/** A name bound by an import: a module object (`import os`) or a member of one (`from os import system`). */
type Binding = { member: boolean; qualified: string };

/** One file's analysis; `depth` limits how deep constant code handed to exec is followed. */
class PythonAnalysis {
  private readonly out = new ReportBuilder();
  private readonly bindings = new Map<string, Binding>();
  private readonly constants = new Map<string, string | null>();
  /** Verdicts of isSafeText by qualified name: a long file uses the same few names thousands of times. */
  private readonly safeNames = new Map<string, boolean>();

  constructor(
    private readonly code: string,
    private readonly tree: SyntaxTree,
    private readonly context: AnalyserContext,
  ) {}

  run(): AnalyserReport {
    const root = this.tree.rootNode;
    if (root.hasError) this.out.add('py.syntax-error', firstErrorLine(root), 'the parser found a syntax error');
    this.checkEncoding();
    for (const node of nodesByToken(root, this.code, /\bimport\b/g, IMPORT_STATEMENTS)) this.importStatement(node);
    this.scanNames();
    this.scanAttributes();
    this.scanFormatStrings();
    this.foldConcatenations();
    return this.out.report;
  }

  /** A coding cookie other than UTF-8 or Latin-1 lets the interpreter read text the parser saw differently. */
  private checkEncoding(): void {
    const head = this.code.split('\n', 2);
    head.forEach((line, index) => {
      const m = /^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)/.exec(line);
      if (m && !/^(?:utf-?8|utf_8|ascii|us-ascii|latin-?1|iso-?8859-?1|cp1252)(?:-sig)?$/i.test(m[1] ?? '')) {
        this.out.add('py.syntax-error', index + 1, `source encoding ${m[1]}`);
      }
    });
  }

  private importStatement(node: SyntaxNode): void {
    const line = lineOf(node);
    if (node.type === 'import_statement') {
      for (const name of node.childrenForFieldName('name')) {
        if (!name) continue;
        const { dotted, alias } = importedName(name);
        // `import a.b` binds `a`; `import a.b as c` binds `c` to `a.b`.
        if (alias) this.bindings.set(alias, { member: false, qualified: dotted });
        else this.bindings.set(dotted.split('.')[0]!, { member: false, qualified: dotted.split('.')[0]! });
        this.judgeImport(dotted, line);
      }
      return;
    }
    const moduleNode = node.childForFieldName('module_name');
    const moduleName = moduleNode?.text ?? '';
    if (moduleName.startsWith('.')) {
      this.out.add('py.unsafe-module', line, `relative import from ${moduleName}`);
      return;
    }
    const wildcard = node.namedChildren.some((c) => c?.type === 'wildcard_import');
    if (wildcard) {
      if (!isUnderSafe(moduleName, this.context.safe) && !this.isLocalModule(moduleName)) {
        this.out.add('py.module-alias', line, `from ${moduleName} import * hides which names are used`);
        this.judgeImport(moduleName, line);
      }
      return;
    }
    for (const name of node.childrenForFieldName('name')) {
      if (!name) continue;
      const { dotted, alias } = importedName(name);
      const qualified = `${moduleName}.${dotted}`;
      this.bindings.set(alias ?? dotted, { member: true, qualified });
      if (this.isLocalModule(moduleName)) continue;
      this.judgeUse(qualified, line, `from ${moduleName} import ${dotted}`);
    }
  }

  private isLocalModule(dotted: string): boolean {
    const path = dotted.split('.').join('/');
    return this.context.files.has(`${path}.py`) || this.context.files.has(`${path}/__init__.py`);
  }

  /** Importing runs the module's code: a module with no safe member at all is judged at the import. */
  private judgeImport(dotted: string, line: number): void {
    if (this.isLocalModule(dotted)) return;
    if (isUnderSafe(dotted, this.context.safe) || hasSafeMembers(dotted, this.context.safe)) return;
    this.judgeUse(dotted, line, `import ${dotted}`);
  }

  /** Judges one use of a qualified name: a category of its own, the safe list, or "outside the safe list". */
  private judgeUse(qualified: string, line: number, match: string, call?: SyntaxNode): void {
    const root = qualified.split('.')[0]!;
    if (this.isLocalModule(root)) return;
    if (call && PATH_FUNCTIONS.has(qualified)) {
      this.openCall(call, callArguments(call), line);
      return;
    }
    const category = CATEGORIES.find((c) => c.test(qualified));
    if (category) {
      this.out.add(category.ruleId, line, match === qualified ? qualified : `${match} (${qualified})`);
      return;
    }
    const members = qualified.split('.').slice(1);
    if (members.some((m) => m.startsWith('_') || PYTHON_ESCAPE_MEMBERS.has(m))) {
      this.out.add('py.reflection', line, `${match} reaches into the interpreter (${qualified})`);
      return;
    }
    if (isUnderSafe(qualified, this.context.safe)) return;
    this.out.add('py.unsafe-module', line, match === qualified ? qualified : `${match} (${qualified})`);
  }

  /** Every identifier that names a bound module or a risky builtin, wherever it appears. */
  private scanNames(): void {
    const names = [...this.bindings.keys(), ...RISKY_BUILTINS];
    const pattern = new RegExp(`(?<![\\w.])(?:${names.map(escapeRegExp).join('|')})(?!\\w)`, 'g');
    const root = this.tree.rootNode;
    for (const m of this.code.matchAll(pattern)) {
      const index = m.index ?? 0;
      const binding = this.bindings.get(m[0]);
      // Fast path: `json.dumps` is a safe use wherever the text stands (code, string or comment), so the tree need
      // not be consulted; everything else is judged on the tree.
      if (binding && this.isSafeText(binding, index + m[0].length)) continue;
      const node = root.descendantForIndex(index, index + m[0].length);
      if (!node || node.type !== 'identifier' || node.startIndex !== index) continue;
      if (isDeclaration(node)) continue;
      if (binding) this.moduleReference(node, binding);
      else this.builtinReference(node, m[0]);
    }
  }

  private isSafeText(binding: Binding, end: number): boolean {
    const chain = /^(?:[ \t]*\.[ \t]*[A-Za-z_]\w*)+/.exec(this.code.slice(end, end + 256))?.[0];
    if (!chain && !binding.member) return false;
    const name = [binding.qualified, ...(chain ? chain.split('.').slice(1).map((part) => part.trim()) : [])].join('.');
    let safe = this.safeNames.get(name);
    if (safe === undefined) {
      safe = this.isSafeName(name);
      this.safeNames.set(name, safe);
    }
    return safe;
  }

  private isSafeName(name: string): boolean {
    if (CATEGORIES.some((c) => c.test(name))) return false;
    if (name.split('.').slice(1).some((m) => m.startsWith('_') || PYTHON_ESCAPE_MEMBERS.has(m))) return false;
    return isUnderSafe(name, this.context.safe) || this.isLocalModule(name.split('.')[0]!);
  }

  private moduleReference(node: SyntaxNode, binding: Binding): void {
    const qualified = binding.qualified;
    const { top, chain } = attributeChain(node);
    const name = [qualified, ...chain].join('.');
    const line = lineOf(node);
    if (chain.length === 0 && !binding.member) {
      const parent = node.parent;
      // Rebinding the name (`os = None`) is harmless; using the module as a value hides what it is used for.
      if (parent?.type === 'assignment' && parent.childForFieldName('left')?.id === node.id) return;
      if (isUnderSafe(qualified, this.context.safe) || this.isLocalModule(qualified.split('.')[0]!)) return;
      this.out.add('py.module-alias', line, `${node.text} (${qualified}) used as a value: ${statementText(node)}`);
      return;
    }
    this.judgeUse(name, line, top.text, callOf(top));
    // importlib.import_module('o' + 's').system(...) is judged as os.system too.
    const call = callOf(top);
    if (call && name === 'importlib.import_module') {
      const target = this.resolve(call);
      if (target !== undefined) {
        const after = attributeChain(call);
        this.judgeUse([target, ...after.chain].join('.'), line, after.top.text);
      }
    }
  }

  private builtinReference(node: SyntaxNode, name: string): void {
    const line = lineOf(node);
    const call = callOf(node);
    if (name === '__builtins__' || name === '__loader__' || name === '__spec__') {
      this.out.add('py.reflection', line, `${name}: ${statementText(node)}`);
      return;
    }
    if (!call) {
      if (name === 'input' || name === 'memoryview' || name === 'help') return;
      this.out.add('py.module-alias', line, `builtin ${name} used as a value: ${statementText(node)}`);
      return;
    }
    const args = callArguments(call);
    switch (name) {
      case 'exec':
      case 'eval':
      case 'compile': {
        this.out.add('py.dynamic-code', line, call.text);
        if (DECODERS.test(call.text)) this.out.add('py.decode-exec', line, call.text);
        const constant = args[0] ? this.fold(args[0]) : undefined;
        if (constant !== undefined) this.out.nested({ kind: 'inline', code: constant, language: 'python', line });
        return;
      }
      case '__import__': {
        const moduleName = args[0] ? this.fold(args[0]) : undefined;
        this.out.add('py.dynamic-import', line, call.text);
        if (moduleName !== undefined) {
          const { top, chain } = attributeChain(call);
          this.judgeUse([moduleName, ...chain].join('.'), line, top.text);
        }
        return;
      }
      case 'getattr':
      case 'setattr':
      case 'delattr': {
        const attribute = args[1] ? this.fold(args[1]) : undefined;
        if (attribute === undefined) {
          this.out.add('py.computed-attribute', line, call.text);
          return;
        }
        if ((attribute.startsWith('__') && !PLAIN_DUNDERS.has(attribute)) || FRAME_ATTRIBUTES.includes(attribute)) {
          this.out.add('py.reflection', line, `${call.text} reaches ${attribute}`);
          return;
        }
        const target = args[0] ? this.resolve(args[0]) : undefined;
        if (target !== undefined) this.judgeUse(`${target}.${attribute}`, line, call.text);
        return;
      }
      case 'open':
        this.openCall(call, args, line);
        return;
      case 'input':
      case 'memoryview':
        return;
      default:
        this.out.add('py.reflection', line, call.text);
    }
  }

  private openCall(call: SyntaxNode, args: SyntaxNode[], line: number): void {
    const pathNode = args[0] ?? keywordArgument(call, 'file');
    const path = pathNode ? this.fold(pathNode) : undefined;
    if (path === undefined) this.out.add('py.file-access', line, `${call.text}: the path is only known at run time`);
    else if (!isWorkspacePath(path)) this.out.add('py.file-access', line, `${call.text}: ${path}`);
  }

  /** The qualified name an expression stands for, when it is a module or a member of one. */
  private resolve(node: SyntaxNode): string | undefined {
    if (node.type === 'identifier') return this.bindings.get(node.text)?.qualified;
    if (node.type === 'attribute') {
      const object = node.childForFieldName('object');
      const base = object ? this.resolve(object) : undefined;
      return base === undefined ? undefined : `${base}.${node.childForFieldName('attribute')?.text ?? ''}`;
    }
    if (node.type === 'call') {
      const fn = node.childForFieldName('function');
      const args = callArguments(node);
      const fnName = fn ? (fn.type === 'identifier' ? fn.text : this.resolve(fn)) : undefined;
      if ((fnName === '__import__' || fnName === 'importlib.import_module') && args[0]) return this.fold(args[0]);
      if (fnName === 'getattr' && args[0] && args[1]) {
        const base = this.resolve(args[0]);
        const attribute = this.fold(args[1]);
        return base !== undefined && attribute !== undefined ? `${base}.${attribute}` : undefined;
      }
    }
    if (node.type === 'parenthesized_expression') {
      const inner = node.namedChildren[0];
      return inner ? this.resolve(inner) : undefined;
    }
    return undefined;
  }

  /** Attribute names that reach reflection, wherever they are accessed. */
  private scanAttributes(): void {
    const pattern = new RegExp(`\\.\\s*(__\\w+__|${FRAME_ATTRIBUTES.join('|')})(?!\\w)`, 'g');
    const root = this.tree.rootNode;
    for (const m of this.code.matchAll(pattern)) {
      const name = m[1] ?? '';
      if (PLAIN_DUNDERS.has(name)) continue;
      const index = (m.index ?? 0) + m[0].length - name.length;
      const node = root.descendantForIndex(index, index + name.length);
      if (!node || node.type !== 'identifier' || node.parent?.type !== 'attribute') continue;
      this.out.add('py.reflection', lineOf(node), statementText(node));
    }
  }

  /** Strings built by concatenation are handed to the text rules (`"rm -rf" + " /"`). */
  private foldConcatenations(): void {
    const root = this.tree.rootNode;
    const done = new Set<number>();
    for (const m of this.code.matchAll(/['"][ \t]*\+|\+[ \t]*[rRbBuU]?['"]/g)) {
      const quote = (m.index ?? 0) + (m[0].startsWith('+') ? m[0].length - 1 : 0);
      let node = root.descendantForIndex(quote, quote + 1);
      while (node && node.type !== 'binary_operator' && /string|string_start|string_end|concatenated_string/.test(node.type)) node = node.parent;
      if (node?.type !== 'binary_operator') continue;
      while (node.parent?.type === 'binary_operator') node = node.parent;
      if (done.has(node.id)) continue;
      done.add(node.id);
      this.fold(node);
    }
  }

  /** `'{0.__class__.__init__.__globals__}'.format(x)` walks attributes without a dot in the code. */
  private scanFormatStrings(): void {
    const pattern = /\{[^{}\n]*?(?:\.|\[)\s*(?:_\w+|f_globals|gi_frame|tb_frame)[^{}\n]*\}/g;
    const root = this.tree.rootNode;
    for (const m of this.code.matchAll(pattern)) {
      const index = m.index ?? 0;
      const node = root.descendantForIndex(index, index + 1);
      if (!node || !/string/.test(node.type)) continue;
      this.out.add('py.reflection', lineOf(node), `format field ${m[0]}`);
    }
  }

  /** The constant string an expression always evaluates to, or undefined when it is not known before run time. */
  fold(node: SyntaxNode, depth = 0): string | undefined {
    if (depth > 20) return undefined;
    switch (node.type) {
      case 'string':
        return stringValue(node);
      case 'concatenated_string': {
        let text = '';
        for (const part of node.namedChildren) {
          const value = part ? this.fold(part, depth + 1) : undefined;
          if (value === undefined) return undefined;
          text += value;
        }
        return text;
      }
      case 'parenthesized_expression': {
        const inner = node.namedChildren[0];
        return inner ? this.fold(inner, depth + 1) : undefined;
      }
      case 'binary_operator': {
        const op = node.childForFieldName('operator')?.text;
        const left = node.childForFieldName('left');
        const right = node.childForFieldName('right');
        if (!left || !right) return undefined;
        if (op === '+') {
          const a = this.fold(left, depth + 1);
          const b = a === undefined ? undefined : this.fold(right, depth + 1);
          return a !== undefined && b !== undefined ? this.derived(a + b, node) : undefined;
        }
        if (op === '*') {
          const text = this.fold(left, depth + 1) ?? this.fold(right, depth + 1);
          const count = Number((left.type === 'integer' ? left : right).text);
          return text !== undefined && Number.isInteger(count) && count >= 0 && count * text.length <= 4096 ? text.repeat(count) : undefined;
        }
        return undefined;
      }
      case 'subscript': {
        // 'metsys'[::-1]
        const value = node.childForFieldName('value');
        const slice = node.childForFieldName('subscript');
        if (value && slice?.type === 'slice' && slice.text.replace(/\s/g, '') === '::-1') {
          const text = this.fold(value, depth + 1);
          return text === undefined ? undefined : this.derived([...text].reverse().join(''), node);
        }
        return undefined;
      }
      case 'call':
        return this.foldCall(node, depth);
      case 'identifier':
        return this.constantOf(node.text, depth);
      default:
        return undefined;
    }
  }

  private derived(text: string, node: SyntaxNode): string {
    this.out.derived(text, lineOf(node));
    return text;
  }

  /** `''.join([...])`, `chr(115)`, `str('x')`. */
  private foldCall(node: SyntaxNode, depth: number): string | undefined {
    const fn = node.childForFieldName('function');
    const args = callArguments(node);
    if (!fn) return undefined;
    if (fn.type === 'identifier' && fn.text === 'chr' && args[0]?.type === 'integer') {
      const code = Number(args[0].text);
      return Number.isInteger(code) && code >= 0 && code < 0x110000 ? String.fromCodePoint(code) : undefined;
    }
    if (fn.type === 'identifier' && fn.text === 'str' && args[0]) return this.fold(args[0], depth + 1);
    if (fn.type === 'attribute' && this.resolve(fn) === 'os.path.join') {
      const parts: string[] = [];
      for (const arg of args) {
        const value = this.fold(arg, depth + 1);
        if (value === undefined) return undefined;
        parts.push(value);
      }
      return joinPath(parts);
    }
    if (fn.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'join' && args[0]) {
      const separatorNode = fn.childForFieldName('object');
      const separator = separatorNode ? this.fold(separatorNode, depth + 1) : undefined;
      const list = args[0];
      if (separator === undefined || !['list', 'tuple'].includes(list.type)) return undefined;
      const parts: string[] = [];
      for (const item of list.namedChildren) {
        const value = item ? this.fold(item, depth + 1) : undefined;
        if (value === undefined) return undefined;
        parts.push(value);
      }
      return this.derived(parts.join(separator), node);
    }
    return undefined;
  }

  /** A name assigned exactly one constant string in the whole file (any scope), else unknown. */
  private constantOf(name: string, depth: number): string | undefined {
    if (this.constants.has(name)) return this.constants.get(name) ?? undefined;
    this.constants.set(name, null);
    const pattern = new RegExp(`(?<![\\w.])${escapeRegExp(name)}\\s*(?:[-+*/%|&^@]|//|\\*\\*|<<|>>)?=(?!=)`, 'g');
    const root = this.tree.rootNode;
    let value: string | undefined;
    let count = 0;
    for (const m of this.code.matchAll(pattern)) {
      const index = m.index ?? 0;
      const node = root.descendantForIndex(index, index + name.length);
      if (!node || node.type !== 'identifier') continue;
      const parent = node.parent;
      if (parent?.type === 'keyword_argument' || parent?.type === 'default_parameter' || parent?.type === 'typed_default_parameter') continue;
      count++;
      if (parent?.type !== 'assignment' || parent.childForFieldName('left')?.id !== node.id) return undefined;
      const right = parent.childForFieldName('right');
      value = right ? this.fold(right, depth + 1) : undefined;
      if (value === undefined || count > 1) return undefined;
    }
    // Loop variables, parameters and `global` writes elsewhere are not constants.
    if (count !== 1 || this.isOtherwiseBound(name)) return undefined;
    this.constants.set(name, value ?? null);
    return value;
  }

  private isOtherwiseBound(name: string): boolean {
    const pattern = new RegExp(`(?:\\bfor\\b[^\\n:]*|\\bas\\s+|\\bdef\\s+\\w+\\s*\\([^)]*|\\blambda\\b[^:]*|:=\\s*)(?<![\\w.])${escapeRegExp(name)}(?!\\w)|(?<![\\w.])${escapeRegExp(name)}\\s*:=`);
    return pattern.test(this.code);
  }
}

function firstErrorLine(root: SyntaxNode): number {
  const error = root.descendantsOfType(['ERROR'])[0];
  if (error) return lineOf(error);
  const missing = root.descendantsOfType(['MISSING'])[0];
  return missing ? lineOf(missing) : 1;
}

function importedName(node: SyntaxNode): { dotted: string; alias: string | undefined } {
  if (node.type === 'aliased_import') {
    return { dotted: node.childForFieldName('name')?.text.replace(/\s/g, '') ?? '', alias: node.childForFieldName('alias')?.text };
  }
  return { dotted: node.text.replace(/\s/g, ''), alias: undefined };
}

/** Identifiers that declare rather than use (parameters, keyword names, `def` and `class` names). */
function isDeclaration(node: SyntaxNode): boolean {
  const parent = node.parent;
  if (!parent) return false;
  switch (parent.type) {
    case 'attribute':
      return parent.childForFieldName('attribute')?.id === node.id;
    case 'keyword_argument':
      return parent.childForFieldName('name')?.id === node.id;
    case 'function_definition':
    case 'class_definition':
      return parent.childForFieldName('name')?.id === node.id;
    case 'parameters':
    case 'default_parameter':
    case 'typed_parameter':
    case 'typed_default_parameter':
      return parent.type === 'parameters' || parent.childForFieldName('name')?.id === node.id;
    case 'dotted_name':
    case 'aliased_import':
      return true;
    default:
      return false;
  }
}

/** The outermost `a.b.c` built on `node`, and the attribute names along it. */
function attributeChain(node: SyntaxNode): { top: SyntaxNode; chain: string[] } {
  const chain: string[] = [];
  let top = node;
  for (;;) {
    const parent = top.parent;
    if (parent?.type !== 'attribute' || parent.childForFieldName('object')?.id !== top.id) break;
    chain.push(parent.childForFieldName('attribute')?.text ?? '');
    top = parent;
  }
  return { top, chain };
}

/** The call whose function `node` is, if any. */
function callOf(node: SyntaxNode): SyntaxNode | undefined {
  const parent = node.parent;
  return parent?.type === 'call' && parent.childForFieldName('function')?.id === node.id ? parent : undefined;
}

function callArguments(call: SyntaxNode): SyntaxNode[] {
  const list = call.childForFieldName('arguments');
  if (!list || list.type !== 'argument_list') return [];
  return list.namedChildren.filter((c): c is SyntaxNode => c !== null && c.type !== 'keyword_argument' && c.type !== 'comment');
}

function keywordArgument(call: SyntaxNode, name: string): SyntaxNode | undefined {
  const list = call.childForFieldName('arguments');
  for (const child of list?.namedChildren ?? []) {
    if (child?.type === 'keyword_argument' && child.childForFieldName('name')?.text === name) {
      return child.childForFieldName('value') ?? undefined;
    }
  }
  return undefined;
}

/** The statement around `node`, for a finding's excerpt. */
function statementText(node: SyntaxNode): string {
  let current: SyntaxNode = node;
  while (current.parent && !/statement$|^module$|^block$/.test(current.parent.type) && current.parent.type !== 'module') {
    current = current.parent;
  }
  return current.text;
}

/** The value of a string literal without interpolation; bytes literals count as their text. */
function stringValue(node: SyntaxNode): string | undefined {
  let prefixText = '';
  let content = '';
  for (const child of node.children) {
    if (!child) continue;
    if (child.type === 'string_start') prefixText = child.text.replace(/['"]+$/, '').toLowerCase();
    else if (child.type === 'interpolation') return undefined;
    else if (child.type === 'string_content') content += child.text;
  }
  return prefixText.includes('r') ? content : unescapePython(content);
}

function unescapePython(text: string): string {
  return text.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{1,3}|N\{[^}]*\}|\n|.)/g, (whole, esc: string) => {
    const c = esc[0];
    if (c === 'x' || c === 'u' || c === 'U') return String.fromCodePoint(parseInt(esc.slice(1), 16));
    if (c !== undefined && c >= '0' && c <= '7') return String.fromCodePoint(parseInt(esc, 8));
    const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', v: '\v', '\n': '' };
    return simple[esc] ?? whole;
  });
}

/** Analyses one Python file (NFKC-normalised first, as the interpreter does with identifiers). */
export function analysePython(code: string, tree: SyntaxTree, context: AnalyserContext): AnalyserReport {
  return new PythonAnalysis(code, tree, context).run();
}

/** The rule that decides uses of `qualified` before the safe list is consulted, if any (for `policy check`). */
export function pythonCategoryOf(qualified: string): string | undefined {
  return CATEGORIES.find((c) => c.test(qualified))?.ruleId;
}
