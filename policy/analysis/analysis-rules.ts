import type { RiskLevel } from '../../schemas/risk.js';

/** A rule of the syntax analyser, as data: the analyser decides when it applies, the policy how much it weighs. */
export interface AnalysisRule {
  readonly id: string;
  readonly description: string;
  readonly level: RiskLevel;
  readonly score: number;
}

/** Prefix of every description of code the analyser cannot see through; such findings are never low. */
export const NOT_ANALYSABLE = 'not analysable: ';

const rule = (id: string, level: RiskLevel, score: number, description: string): AnalysisRule => ({ id, level, score, description });
const opaque = (id: string, level: RiskLevel, score: number, description: string): AnalysisRule =>
  rule(id, level, score, `${NOT_ANALYSABLE}${description}`);

/**
 * The analyser's rules. Ids are stable (decisions record them); where a regex rule of the same meaning existed its
 * id is kept. Levels and scores are defaults: a policy file may raise or lower them, except that a "not
 * analysable" rule never drops below medium.
 */
export const BUILT_IN_ANALYSIS_RULES: readonly AnalysisRule[] = [
  // Python.
  rule('py.os-system', 'high', 70, 'runs a shell command through os.system, os.popen, os.exec* or os.spawn*'),
  rule('py.subprocess', 'medium', 40, 'starts other programs through the subprocess module'),
  rule('py.ctypes', 'high', 70, 'loads native code or calls C functions (ctypes, cffi)'),
  rule('py.network', 'medium', 30, 'opens network connections (socket, http, urllib, requests)'),
  rule('py.delete-files', 'medium', 30, 'deletes files or directory trees'),
  rule('py.unsafe-module', 'medium', 30, 'uses a module or member outside the policy\'s safe list'),
  rule('py.file-access', 'medium', 30, 'opens a file outside /workspace and /tmp, or at a path only known at run time'),
  opaque('py.dynamic-code', 'medium', 40, 'runs code built at run time (exec, eval, compile)'),
  opaque('py.dynamic-import', 'medium', 40, 'imports a module by a computed name (__import__, importlib)'),
  opaque('py.reflection', 'medium', 40, 'reflection on builtins, modules, classes or frames'),
  opaque('py.computed-attribute', 'medium', 40, 'attribute access with a name computed at run time'),
  opaque('py.module-alias', 'medium', 40, 'a module or dangerous builtin is used as a value (stored, passed or rebound)'),
  rule('py.decode-exec', 'high', 70, 'decodes data and executes the result'),
  opaque('py.syntax-error', 'medium', 40, 'the code does not parse as Python'),
  // Node.
  rule('js.child-process', 'medium', 40, 'starts other programs through child_process'),
  rule('js.network', 'medium', 30, 'opens network connections (net, http, https, dgram, tls, fetch)'),
  rule('js.delete-files', 'medium', 30, 'deletes files or directory trees'),
  rule('js.unsafe-module', 'medium', 30, 'loads a module outside the policy\'s safe list'),
  rule('js.file-access', 'medium', 30, 'touches a file outside /workspace and /tmp, or at a path only known at run time'),
  rule('js.process', 'medium', 30, 'uses process features beyond argv, stdin/stdout/stderr and exit'),
  rule('js.ffi', 'high', 70, 'loads native code or WebAssembly'),
  opaque('js.dynamic-code', 'medium', 40, 'runs code built at run time (eval, Function, vm, string timers)'),
  opaque('js.dynamic-import', 'medium', 40, 'loads a module by a computed name'),
  opaque('js.reflection', 'medium', 40, 'reflection on globals, modules, constructors or prototypes'),
  opaque('js.computed-call', 'medium', 40, 'calls a function reached through a property name computed at run time'),
  opaque('js.unknown-global', 'medium', 30, 'uses a global the analyser does not know'),
  rule('js.decode-exec', 'high', 70, 'decodes data and executes the result'),
  opaque('js.syntax-error', 'medium', 40, 'the code does not parse as JavaScript'),
  // Bash.
  rule('sh.unknown-command', 'medium', 30, 'runs a command outside the policy\'s list of harmless commands'),
  opaque('sh.computed-command', 'medium', 40, 'the command name is computed at run time (a variable or substitution)'),
  opaque('sh.eval', 'medium', 40, 'evaluates or sources text computed at run time'),
  opaque('sh.interpreter', 'medium', 40, 'runs an interpreter on code that is not part of the action'),
  rule('sh.decode-exec', 'high', 70, 'decodes data and executes the result'),
  rule('sh.delete-files', 'medium', 30, 'deletes files recursively or by force'),
  rule('sh.network-tools', 'medium', 30, 'uses network clients (curl, wget, nc, ssh, scp)'),
  rule('sh.privilege-escalation', 'high', 70, 'runs a command as another user (sudo, su, doas)'),
  rule('sh.file-access', 'medium', 30, 'writes a file outside /workspace and /tmp'),
  opaque('sh.syntax-error', 'medium', 40, 'the code does not parse as bash'),
  // Whatever the language.
  opaque('analysis.budget', 'medium', 40, 'larger than the analysis budget: the action\'s code needs more parsing than the policy allows, and is not read past that point'),
  opaque('files.unknown-code', 'medium', 40, 'an input file is code in a language the analyser does not read'),
  rule('limits.above-threshold', 'medium', 30, 'asks for resources above the policy\'s review thresholds'),
];
