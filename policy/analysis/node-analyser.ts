/**
 * Node analysis over a tree-sitter (JavaScript) syntax tree. `require`, `import` and `import()` are resolved to
 * module names with string constants folded (`'child' + '_process'`), bindings follow the module into its members
 * (`const { exec } = require('child_process')`), and the names through which JavaScript reaches the runtime
 * (process, globalThis, eval, Function, constructor, …) are judged wherever they appear, also as property names.
 */
import { lineOf, nodesByToken, type SyntaxNode, type SyntaxTree } from './parsers.js';
import {
  byType,
  escapeRegExp,
  isUnderSafe,
  joinPath,
  isWorkspacePath,
  ReportBuilder,
  type AnalyserContext,
  type AnalyserReport,
} from './analysis-result.js';

/** Statements and expressions the analysis visits, each found from its keyword or its `[`. */
const TOKEN_NODES = new Set(['import_statement', 'export_statement', 'subscript_expression', 'with_statement']);

/** Globals and properties that reach the runtime, the module system or code generation. */
const RUNTIME_NAMES = new Set([
  'eval', 'Function', 'process', 'globalThis', 'global', 'window', 'self', 'module', 'require', 'Reflect', 'Proxy',
  'WebAssembly', 'fetch', 'XMLHttpRequest', 'WebSocket', 'EventSource', 'Worker', 'importScripts', 'Deno', 'Bun',
  'setTimeout', 'setInterval', 'setImmediate', 'constructor', '__proto__', 'caller', 'callee', 'mainModule',
  '__defineGetter__', '__defineSetter__', '__lookupGetter__', '__lookupSetter__', 'prepareStackTrace', 'binding',
  '_linkedBinding', 'dlopen',
]);

/** `process` members that only read arguments, write output or end the process. */
const PROCESS_SAFE = new Set([
  'argv', 'stdout', 'stderr', 'stdin', 'exit', 'exitCode', 'hrtime', 'memoryUsage', 'uptime', 'nextTick', 'platform',
  'version', 'versions', 'cwd', 'on', 'once',
]);

/** fs members that read or write one file at a path; the path decides. */
const FS_PATH_MEMBERS = new Set([
  'readFileSync', 'readFile', 'writeFileSync', 'writeFile', 'appendFileSync', 'appendFile', 'existsSync', 'exists',
  'mkdirSync', 'mkdir', 'readdirSync', 'readdir', 'statSync', 'stat', 'lstatSync', 'lstat', 'createReadStream',
  'createWriteStream', 'accessSync', 'access', 'openSync', 'open', 'copyFileSync', 'copyFile',
]);
const FS_DELETE_MEMBERS = new Set(['rm', 'rmSync', 'rmdir', 'rmdirSync', 'unlink', 'unlinkSync']);
const FS_MODULES = new Set(['fs', 'fs/promises']);

/** Calls whose result is text decoded from something unreadable. */
const DECODERS = /\b(?:atob|fromCharCode|fromCodePoint|decodeURIComponent|unescape|base64|hex|inflateSync|gunzipSync|reverse)\b/;

type ModuleCategory = { ruleId: string; test: (name: string) => boolean };
const named = (...names: string[]) => (name: string) => names.includes(name);

const MODULE_CATEGORIES: readonly ModuleCategory[] = [
  { ruleId: 'js.child-process', test: named('child_process', 'cluster') },
  { ruleId: 'js.network', test: named('net', 'http', 'https', 'http2', 'dgram', 'tls', 'dns', 'dns/promises', 'undici', 'ws', 'axios', 'node-fetch') },
  { ruleId: 'js.dynamic-code', test: named('vm', 'repl', 'worker_threads') },
  { ruleId: 'js.reflection', test: named('module', 'inspector', 'v8', 'async_hooks', 'trace_events', 'process') },
  { ruleId: 'js.ffi', test: (n) => n === 'wasi' || /(?:^|[-/])(?:ffi|napi)(?:$|[-/])/.test(n) || n.endsWith('.node') },
];

/** A name bound to a module (`const cp = require('child_process')`) or to a member of one. */
type Binding = { module: string; members: string[] };

class NodeAnalysis {
  private readonly out = new ReportBuilder();
  private readonly bindings = new Map<string, Binding>();
  private readonly constants = new Map<string, string | null>();
  private readonly strict: boolean;
  private nodes = new Map<string, SyntaxNode[]>();

  constructor(
    private readonly code: string,
    private readonly tree: SyntaxTree,
    private readonly context: AnalyserContext,
  ) {
    this.strict = /^\s*(?:#![^\n]*\n\s*)?['"]use strict['"]/.test(code);
  }

  run(): AnalyserReport {
    const root = this.tree.rootNode;
    if (root.hasError) this.out.add('js.syntax-error', firstErrorLine(root), 'the parser found a syntax error');
    this.nodes = byType(nodesByToken(root, this.code, /\b(?:import|export|with)\b|\[/g, TOKEN_NODES));
    for (const node of [...(this.nodes.get('import_statement') ?? []), ...(this.nodes.get('export_statement') ?? [])]) this.importStatement(node);
    this.scanModuleLoads();
    this.scanBindings();
    this.scanRuntimeNames();
    this.scanSubscripts();
    this.scanOddities();
    // Strings built by concatenation are handed to the text rules (`'rm -rf' + ' /'`).
    const done = new Set<number>();
    for (const m of this.code.matchAll(/['"`][ \t]*\+|\+[ \t]*['"`]/g)) {
      const quote = (m.index ?? 0) + (m[0].startsWith('+') ? m[0].length - 1 : 0);
      let node = root.descendantForIndex(quote, quote + 1);
      while (node && node.type !== 'binary_expression' && /string|template/.test(node.type)) node = node.parent;
      if (node?.type !== 'binary_expression') continue;
      while (node.parent?.type === 'binary_expression') node = node.parent;
      if (done.has(node.id)) continue;
      done.add(node.id);
      this.fold(node);
    }
    return this.out.report;
  }

  private importStatement(node: SyntaxNode): void {
    const source = node.childForFieldName('source');
    if (!source) return;
    const name = this.fold(source);
    const line = lineOf(node);
    if (name === undefined) {
      this.out.add('js.dynamic-import', line, node.text);
      return;
    }
    const module = this.loadModule(name, line, node.text);
    const clause = node.namedChildren.find((c) => c?.type === 'import_clause');
    if (!clause) return;
    for (const part of clause.namedChildren) {
      if (!part) continue;
      if (part.type === 'identifier') this.bindings.set(part.text, { module, members: ['default'] });
      else if (part.type === 'namespace_import') {
        const id = part.namedChildren.find((c) => c?.type === 'identifier');
        if (id) this.bindings.set(id.text, { module, members: [] });
      } else if (part.type === 'named_imports') {
        for (const spec of part.namedChildren) {
          if (spec?.type !== 'import_specifier') continue;
          const imported = spec.childForFieldName('name')?.text ?? '';
          const alias = spec.childForFieldName('alias')?.text ?? imported;
          this.bindings.set(alias, { module, members: [imported] });
          this.judgeMember(module, [imported], spec, line);
        }
      }
    }
  }

  /** Judges loading a module; returns its canonical name (without `node:`). */
  private loadModule(specifier: string, line: number, match: string): string {
    const name = specifier.replace(/^node:/, '');
    if (name.startsWith('./') || name.startsWith('../') || name.startsWith('/')) {
      const local = this.localFile(name);
      if (local) this.out.nested({ kind: 'file', path: local, language: 'node', line });
      else this.out.add('js.unsafe-module', line, `${match}: not a file of the action`);
      return name;
    }
    const category = MODULE_CATEGORIES.find((c) => c.test(name));
    if (category) this.out.add(category.ruleId, line, match);
    else if (!FS_MODULES.has(name) && !isUnderSafe(name, this.context.safe)) this.out.add('js.unsafe-module', line, match);
    return name;
  }

  private localFile(specifier: string): string | undefined {
    const relative = specifier.replace(/^\.\//, '').replace(/^\/workspace\//, '');
    if (relative.startsWith('.') || relative.startsWith('/')) return undefined;
    for (const candidate of [relative, `${relative}.js`, `${relative}.cjs`, `${relative}.mjs`, `${relative}/index.js`]) {
      if (this.context.files.has(candidate)) return candidate;
    }
    return undefined;
  }

  /** `require(...)` and `import(...)`, wherever they are. */
  private scanModuleLoads(): void {
    const root = this.tree.rootNode;
    for (const m of this.code.matchAll(/(?<![\w.$])(require|import)(?![\w$])/g)) {
      const index = m.index ?? 0;
      const node = root.descendantForIndex(index, index + m[0].length);
      if (!node || node.startIndex !== index) continue;
      if (m[1] === 'import' && node.type !== 'import') continue;
      // The `import` keyword token sits inside the named `import` node the call refers to.
      const target = node.parent?.type === 'import' ? node.parent : node;
      if (m[1] === 'require' && node.type !== 'identifier') continue;
      const line = lineOf(target);
      const call = target.parent?.type === 'call_expression' && target.parent.childForFieldName('function')?.id === target.id ? target.parent : undefined;
      if (!call) {
        if (m[1] === 'require') this.out.add('js.reflection', line, `require used as a value: ${statementText(node)}`);
        continue;
      }
      const arg = callArguments(call)[0];
      const name = arg ? this.fold(arg) : undefined;
      if (name === undefined) {
        this.out.add('js.dynamic-import', line, call.text);
        continue;
      }
      const module = this.loadModule(name, line, call.text);
      this.bindResult(call, { module, members: [] });
      const { chain } = memberChain(call);
      if (chain.length > 0) this.judgeMember(module, chain, call, line);
    }
  }

  /** `const x = require('m')`, `const { a, b: c } = require('m')`. */
  private bindResult(call: SyntaxNode, binding: Binding): void {
    const { top, chain } = memberChain(call);
    const parent = top.parent;
    if (parent?.type !== 'variable_declarator' || parent.childForFieldName('value')?.id !== top.id) return;
    const target = parent.childForFieldName('name');
    if (!target) return;
    const members = [...binding.members, ...chain];
    if (target.type === 'identifier') this.bindings.set(target.text, { module: binding.module, members });
    else if (target.type === 'object_pattern') {
      for (const prop of target.namedChildren) {
        if (!prop) continue;
        if (prop.type === 'shorthand_property_identifier_pattern') this.bindings.set(prop.text, { module: binding.module, members: [...members, prop.text] });
        else if (prop.type === 'pair_pattern') {
          const key = prop.childForFieldName('key')?.text ?? '';
          const value = prop.childForFieldName('value');
          if (value?.type === 'identifier') this.bindings.set(value.text, { module: binding.module, members: [...members, key] });
          this.judgeMember(binding.module, [...members, key], prop, lineOf(prop));
        }
      }
      for (const prop of target.namedChildren) {
        if (prop?.type === 'shorthand_property_identifier_pattern') this.judgeMember(binding.module, [...members, prop.text], prop, lineOf(prop));
      }
    }
  }

  /** Every use of a name bound to a module. */
  private scanBindings(): void {
    if (this.bindings.size === 0) return;
    const pattern = new RegExp(`(?<![\\w.$])(?:${[...this.bindings.keys()].map(escapeRegExp).join('|')})(?![\\w$])`, 'g');
    const root = this.tree.rootNode;
    for (const m of this.code.matchAll(pattern)) {
      const index = m.index ?? 0;
      const binding = this.bindings.get(m[0])!;
      // Fast path: `path.join` off a safe module is a safe use wherever the text stands.
      if (this.isSafeText(binding, index + m[0].length)) continue;
      const node = root.descendantForIndex(index, index + m[0].length);
      if (!node || node.type !== 'identifier' || node.startIndex !== index || isDeclaration(node)) continue;
      const { chain } = memberChain(node);
      const members = [...binding.members, ...chain];
      if (members.length === 0 && !isUnderSafe(binding.module, this.context.safe) && !isCallee(node)) {
        this.out.add('js.reflection', lineOf(node), `module ${binding.module} used as a value: ${statementText(node)}`);
        continue;
      }
      this.judgeMember(binding.module, members, node, lineOf(node));
    }
  }

  private isSafeText(binding: Binding, end: number): boolean {
    if (FS_MODULES.has(binding.module) || !isUnderSafe(binding.module, this.context.safe)) return false;
    const chain = /^(?:[ \t]*\??\.[ \t]*[A-Za-z_$][\w$]*)+/.exec(this.code.slice(end, end + 256))?.[0];
    const members = [...binding.members, ...(chain ? chain.split('.').slice(1).map((part) => part.replace(/\?/g, '').trim()) : [])];
    return members.length > 0 && !members.some((m) => RUNTIME_NAMES.has(m));
  }

  /** One use of `module.members…`; `node` is where the chain starts (its call, if any, carries the arguments). */
  private judgeMember(module: string, members: string[], node: SyntaxNode, line: number): void {
    const qualified = [module, ...members].join('.');
    if (members.some((m) => RUNTIME_NAMES.has(m) && m !== 'binding')) {
      this.out.add('js.reflection', line, qualified);
      return;
    }
    if (!FS_MODULES.has(module)) return;
    const member = members[0] === 'promises' || members[0] === 'default' ? members[1] : members[0];
    if (member === undefined) return;
    if (FS_DELETE_MEMBERS.has(member)) {
      this.out.add('js.delete-files', line, qualified);
      return;
    }
    if (!FS_PATH_MEMBERS.has(member)) {
      this.out.add('js.file-access', line, qualified);
      return;
    }
    const call = callAtEnd(node);
    const arg = call ? callArguments(call)[0] : undefined;
    // Descriptor 0, 1 or 2 is the process's own stdin, stdout or stderr.
    if (arg?.type === 'number' && /^[012]$/.test(arg.text)) return;
    const path = arg ? this.fold(arg) : undefined;
    if (!call) return;
    if (path === undefined) this.out.add('js.file-access', line, `${call.text}: the path is only known at run time`);
    else if (!isWorkspacePath(path)) this.out.add('js.file-access', line, `${call.text}: ${path}`);
  }

  /** Names that reach the runtime, as identifiers or property names. */
  private scanRuntimeNames(): void {
    const pattern = new RegExp(`(?<![\\w$])(?:${[...RUNTIME_NAMES].map(escapeRegExp).join('|')})(?![\\w$])`, 'g');
    const root = this.tree.rootNode;
    for (const m of this.code.matchAll(pattern)) {
      const name = m[0];
      if (name === 'require') continue;
      const index = m.index ?? 0;
      const node = root.descendantForIndex(index, index + name.length);
      if (!node || node.startIndex !== index) continue;
      const line = lineOf(node);
      if (node.type === 'property_identifier' || node.type === 'shorthand_property_identifier' || node.type === 'shorthand_property_identifier_pattern') {
        const object = node.parent?.type === 'member_expression' ? node.parent.childForFieldName('object') : undefined;
        // Declaring a method or key of one's own (`{ binding: 1 }`) is harmless; reading one off an object is not.
        if (node.parent?.type === 'pair' || node.parent?.type === 'method_definition') continue;
        if (name === 'binding' && object?.text !== 'process') continue;
        if ((name === 'setTimeout' || name === 'setInterval' || name === 'setImmediate') && object?.type !== 'identifier') continue;
        if (object?.type === 'identifier' && this.bindings.has(object.text)) continue;
        this.out.add('js.reflection', line, statementText(node));
        continue;
      }
      if (node.type !== 'identifier' || isDeclaration(node)) continue;
      this.runtimeIdentifier(node, name, line);
    }
  }

  private runtimeIdentifier(node: SyntaxNode, name: string, line: number): void {
    const call = isCallee(node) ? node.parent! : undefined;
    switch (name) {
      case 'eval':
      case 'Function': {
        this.out.add('js.dynamic-code', line, statementText(node));
        if (call && DECODERS.test(call.text)) this.out.add('js.decode-exec', line, call.text);
        const arg = call ? callArguments(call).at(-1) : undefined;
        const constant = arg ? this.fold(arg) : undefined;
        if (constant !== undefined) this.out.nested({ kind: 'inline', code: constant, language: 'node', line });
        return;
      }
      case 'setTimeout':
      case 'setInterval':
      case 'setImmediate': {
        const arg = call ? callArguments(call)[0] : undefined;
        if (!call) {
          this.out.add('js.reflection', line, `${name} used as a value: ${statementText(node)}`);
          return;
        }
        if (arg && (['string', 'template_string', 'binary_expression'].includes(arg.type) || (arg.type === 'identifier' && this.fold(arg) !== undefined))) {
          this.out.add('js.dynamic-code', line, call.text);
        }
        return;
      }
      case 'process': {
        const { chain } = memberChain(node);
        const member = chain[0];
        if (member === undefined) this.out.add('js.reflection', line, `process used as a value: ${statementText(node)}`);
        else if (member === 'dlopen') this.out.add('js.ffi', line, `process.${chain.join('.')}`);
        else if (['binding', '_linkedBinding', 'mainModule', 'env', 'kill', 'setuid', 'setgid', 'chdir', 'umask', 'reallyExit', '_rawDebug', 'abort'].includes(member) || member.startsWith('_')) {
          this.out.add(member === 'env' || member === 'kill' || member === 'chdir' ? 'js.process' : 'js.reflection', line, `process.${chain.join('.')}`);
        } else if (!PROCESS_SAFE.has(member)) this.out.add('js.process', line, `process.${chain.join('.')}`);
        return;
      }
      case 'module': {
        const { chain } = memberChain(node);
        if (chain.length === 1 && chain[0] === 'exports') return;
        if (chain[0] === 'exports' && chain.length > 1) return;
        this.out.add('js.reflection', line, statementText(node));
        return;
      }
      case 'WebAssembly':
        this.out.add('js.ffi', line, statementText(node));
        return;
      case 'fetch':
      case 'XMLHttpRequest':
      case 'WebSocket':
      case 'EventSource':
        this.out.add('js.network', line, statementText(node));
        return;
      default:
        this.out.add('js.reflection', line, statementText(node));
    }
  }

  /** `obj[key]`: a constant key is judged like `obj.key`; a computed one must not lead to a call. */
  private scanSubscripts(): void {
    const suspicious: string[] = [];
    for (const node of this.nodes.get('subscript_expression') ?? []) {
      const index = node.childForFieldName('index');
      const object = node.childForFieldName('object');
      if (!index || !object) continue;
      if (index.type === 'number') continue;
      const key = this.fold(index);
      const line = lineOf(node);
      if (key !== undefined) {
        if (RUNTIME_NAMES.has(key) && !(key === 'binding' && object.text !== 'process')) this.out.add('js.reflection', line, `${node.text} reaches ${key}`);
        const binding = object.type === 'identifier' ? this.bindings.get(object.text) : undefined;
        if (binding) this.judgeMember(binding.module, [...binding.members, key], node, line);
        continue;
      }
      if (/^(?:array|object|string|template_string|number|function_expression|arrow_function|class|regex|this|parenthesized_expression)$/.test(object.type)) {
        this.out.add('js.computed-call', line, `${node.text}: a computed property of a literal or of this`);
        continue;
      }
      const parent = node.parent;
      if ((parent?.type === 'call_expression' && parent.childForFieldName('function')?.id === node.id) || (parent?.type === 'new_expression' && parent.childForFieldName('constructor')?.id === node.id)) {
        this.out.add('js.computed-call', line, parent.text);
        continue;
      }
      if (parent?.type === 'variable_declarator' && parent.childForFieldName('value')?.id === node.id) {
        const name = parent.childForFieldName('name');
        if (name?.type === 'identifier') suspicious.push(name.text);
      }
    }
    this.scanCallsOf(suspicious);
  }

  /** A variable holding a value picked by a computed key, then called. */
  private scanCallsOf(names: readonly string[]): void {
    if (names.length === 0) return;
    const pattern = new RegExp(`(?<![\\w.$])(?:${names.map(escapeRegExp).join('|')})\\s*(?:\\?\\.)?\\s*[(\`]`, 'g');
    const root = this.tree.rootNode;
    for (const m of this.code.matchAll(pattern)) {
      const index = m.index ?? 0;
      const node = root.descendantForIndex(index, index + 1);
      if (node?.type === 'identifier' && isCallee(node)) this.out.add('js.computed-call', lineOf(node), `${node.parent!.text}: calls a value picked by a computed key`);
    }
  }

  /** `with`, identifiers spelled with escapes, and `this` in a sloppy function (the global object). */
  private scanOddities(): void {
    const root = this.tree.rootNode;
    for (const node of this.nodes.get('with_statement') ?? []) this.out.add('js.reflection', lineOf(node), 'with statement');
    for (const m of this.code.matchAll(/\\u(?:[0-9a-fA-F]{4}|\{[0-9a-fA-F]+\})/g)) {
      const index = m.index ?? 0;
      const node = root.descendantForIndex(index, index + 1);
      if (node && /identifier/.test(node.type)) this.out.add('js.reflection', lineOf(node), `identifier spelled with escapes: ${node.text}`);
    }
    if (this.strict) return;
    for (const m of this.code.matchAll(/(?<![\w$.])this(?![\w$])/g)) {
      const index = m.index ?? 0;
      const node = root.descendantForIndex(index, index + 4);
      if (node?.type !== 'this') continue;
      let fn = node.parent;
      while (fn && !/^(?:function_expression|function_declaration|generator_function|generator_function_declaration|method_definition|class_body|program)$/.test(fn.type)) fn = fn.parent;
      if (fn && (fn.type === 'function_expression' || fn.type === 'function_declaration' || fn.type === 'generator_function' || fn.type === 'generator_function_declaration')) {
        if (fn.parent?.type === 'pair' || fn.parent?.type === 'assignment_expression') continue;
        this.out.add('js.reflection', lineOf(node), `this in a plain function is the global object: ${statementText(node)}`);
      }
    }
  }

  /** The constant string an expression always evaluates to, or undefined. */
  fold(node: SyntaxNode, depth = 0): string | undefined {
    if (depth > 20) return undefined;
    switch (node.type) {
      case 'string':
        return unescapeJs(node.text.slice(1, -1));
      case 'template_string':
        if (node.namedChildren.some((c) => c?.type === 'template_substitution')) return undefined;
        return unescapeJs(node.text.slice(1, -1));
      case 'parenthesized_expression': {
        const inner = node.namedChildren.at(-1);
        return inner ? this.fold(inner, depth + 1) : undefined;
      }
      case 'binary_expression': {
        if (node.childForFieldName('operator')?.text !== '+') return undefined;
        const left = node.childForFieldName('left');
        const right = node.childForFieldName('right');
        const a = left ? this.fold(left, depth + 1) : undefined;
        const b = a !== undefined && right ? this.fold(right, depth + 1) : undefined;
        if (a === undefined || b === undefined) return undefined;
        this.out.derived(a + b, lineOf(node));
        return a + b;
      }
      case 'call_expression':
        return this.foldCall(node, depth);
      case 'identifier':
        return this.constantOf(node.text, depth);
      default:
        return undefined;
    }
  }

  /** `[...].join('')`, `'x'.concat('y')`, `String.fromCharCode(…)`, `'abc'.split('').reverse().join('')` is not. */
  private foldCall(node: SyntaxNode, depth: number): string | undefined {
    const fn = node.childForFieldName('function');
    if (fn?.type !== 'member_expression') return undefined;
    const object = fn.childForFieldName('object');
    const property = fn.childForFieldName('property')?.text;
    const args = callArguments(node);
    if (!object) return undefined;
    if (property === 'join' && object.type === 'array') {
      const separator = args[0] ? this.fold(args[0], depth + 1) : ',';
      if (separator === undefined) return undefined;
      const parts: string[] = [];
      for (const item of object.namedChildren) {
        const value = item ? this.fold(item, depth + 1) : undefined;
        if (value === undefined) return undefined;
        parts.push(value);
      }
      this.out.derived(parts.join(separator), lineOf(node));
      return parts.join(separator);
    }
    if (property === 'concat') {
      const base = this.fold(object, depth + 1);
      if (base === undefined) return undefined;
      let text = base;
      for (const arg of args) {
        const value = this.fold(arg, depth + 1);
        if (value === undefined) return undefined;
        text += value;
      }
      return text;
    }
    const module = object.type === 'identifier' ? this.bindings.get(object.text) : undefined;
    if (module?.module === 'path' && module.members.length === 0 && (property === 'join' || property === 'resolve')) {
      const parts: string[] = [];
      for (const arg of args) {
        const value = this.fold(arg, depth + 1);
        if (value === undefined) return undefined;
        parts.push(value);
      }
      return joinPath(parts);
    }
    if (object.text === 'String' && property === 'fromCharCode' && args.every((a) => a.type === 'number')) {
      return String.fromCharCode(...args.map((a) => Number(a.text)));
    }
    return undefined;
  }

  /** A `const` (or single-assigned `let`/`var`) bound to a constant string. */
  private constantOf(name: string, depth: number): string | undefined {
    if (this.constants.has(name)) return this.constants.get(name) ?? undefined;
    this.constants.set(name, null);
    const root = this.tree.rootNode;
    const pattern = new RegExp(`(?<![\\w.$])${escapeRegExp(name)}(?![\\w$])`, 'g');
    let value: string | undefined;
    let declarations = 0;
    for (const m of this.code.matchAll(pattern)) {
      const index = m.index ?? 0;
      const node = root.descendantForIndex(index, index + name.length);
      if (node?.type !== 'identifier' && node?.type !== 'shorthand_property_identifier_pattern') continue;
      const parent = node.parent;
      if (parent?.type === 'variable_declarator' && parent.childForFieldName('name')?.id === node.id) {
        declarations++;
        const init = parent.childForFieldName('value');
        value = init ? this.fold(init, depth + 1) : undefined;
        continue;
      }
      // Any other write (assignment, ++, a parameter, a destructuring target) makes it unknown.
      if (isDeclaration(node) || (parent?.type === 'assignment_expression' && parent.childForFieldName('left')?.id === node.id) || parent?.type === 'augmented_assignment_expression' || parent?.type === 'update_expression') {
        return undefined;
      }
    }
    if (declarations !== 1 || value === undefined) return undefined;
    this.constants.set(name, value);
    return value;
  }
}

function firstErrorLine(root: SyntaxNode): number {
  const error = root.descendantsOfType(['ERROR'])[0];
  return error ? lineOf(error) : 1;
}

function isCallee(node: SyntaxNode): boolean {
  const parent = node.parent;
  return (
    (parent?.type === 'call_expression' && parent.childForFieldName('function')?.id === node.id) ||
    (parent?.type === 'new_expression' && parent.childForFieldName('constructor')?.id === node.id)
  );
}

/** Identifiers that declare a name (parameters, patterns, function and class names). */
function isDeclaration(node: SyntaxNode): boolean {
  const parent = node.parent;
  if (!parent) return false;
  if (parent.type === 'variable_declarator') return parent.childForFieldName('name')?.id === node.id;
  if (/^(?:function_declaration|function_expression|class_declaration|class|generator_function_declaration|method_definition)$/.test(parent.type)) {
    return parent.childForFieldName('name')?.id === node.id;
  }
  if (parent.type === 'formal_parameters' || parent.type === 'array_pattern' || parent.type === 'object_pattern' || parent.type === 'rest_pattern') return true;
  if (parent.type === 'arrow_function') return parent.childForFieldName('parameter')?.id === node.id;
  if (parent.type === 'assignment_pattern') return parent.childForFieldName('left')?.id === node.id;
  if (parent.type === 'pair_pattern') return parent.childForFieldName('value')?.id === node.id;
  if (parent.type === 'import_specifier' || parent.type === 'import_clause' || parent.type === 'namespace_import') return true;
  if (parent.type === 'catch_clause') return parent.childForFieldName('parameter')?.id === node.id;
  if (parent.type === 'labeled_statement' || parent.type === 'break_statement' || parent.type === 'continue_statement') return true;
  return false;
}

/** The outermost `a.b.c` built on `node` and the property names along it (constant subscripts included). */
function memberChain(node: SyntaxNode): { top: SyntaxNode; chain: string[] } {
  const chain: string[] = [];
  let top = node;
  for (;;) {
    const parent = top.parent;
    if (parent?.type === 'member_expression' && parent.childForFieldName('object')?.id === top.id) {
      chain.push(parent.childForFieldName('property')?.text ?? '');
      top = parent;
      continue;
    }
    if (parent?.type === 'subscript_expression' && parent.childForFieldName('object')?.id === top.id) {
      const index = parent.childForFieldName('index');
      if (index?.type !== 'string') break;
      chain.push(unescapeJs(index.text.slice(1, -1)));
      top = parent;
      continue;
    }
    break;
  }
  return { top, chain };
}

/** The call made on the end of the chain starting at `node`, if the chain is called. */
function callAtEnd(node: SyntaxNode): SyntaxNode | undefined {
  const { top } = memberChain(node);
  const parent = top.parent;
  return parent?.type === 'call_expression' && parent.childForFieldName('function')?.id === top.id ? parent : undefined;
}

function callArguments(call: SyntaxNode): SyntaxNode[] {
  const list = call.childForFieldName('arguments');
  if (!list) return [];
  if (list.type === 'template_string') return [list];
  return list.namedChildren.filter((c): c is SyntaxNode => c !== null && c.type !== 'comment');
}

function statementText(node: SyntaxNode): string {
  let current: SyntaxNode = node;
  while (current.parent && !/statement$|^program$|^statement_block$|declaration$/.test(current.parent.type)) current = current.parent;
  return current.text;
}

function unescapeJs(text: string): string {
  return text.replace(/\\(x[0-9a-fA-F]{2}|u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|[0-7]{1,3}|\n|.)/g, (whole, esc: string) => {
    const c = esc[0];
    if (c === 'x') return String.fromCharCode(parseInt(esc.slice(1), 16));
    if (c === 'u') return String.fromCodePoint(parseInt(esc.replace(/[u{}]/g, ''), 16));
    if (c !== undefined && c >= '0' && c <= '7') return String.fromCharCode(parseInt(esc, 8));
    const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v', '0': '\0', '\n': '' };
    return simple[esc] ?? (esc.length === 1 ? esc : whole);
  });
}

/** Analyses one Node file. */
export function analyseNode(code: string, tree: SyntaxTree, context: AnalyserContext): AnalyserReport {
  return new NodeAnalysis(code, tree, context).run();
}

/** The rule that decides loading `module` before the safe list is consulted, if any (for `policy check`). */
export function nodeCategoryOf(module: string): string | undefined {
  const name = module.replace(/^node:/, '');
  if (FS_MODULES.has(name)) return 'js.file-access';
  return MODULE_CATEGORIES.find((c) => c.test(name))?.ruleId;
}
