import type { Language } from '../schemas/action.js';
import { HIDDEN_CHARACTER_SOURCE } from '../schemas/hidden-characters.js';
import type { RiskLevel } from '../schemas/risk.js';

/** One deterministic check on submitted code. */
export interface RiskRule {
  readonly id: string;
  readonly description: string;
  /** Languages the rule applies to; `any` for text that is dangerous whatever runs it. */
  readonly languages: readonly Language[] | 'any';
  /** Must carry the `g` and `m` flags: every match is reported with its line. */
  readonly pattern: RegExp;
  readonly score: number;
  /** The action is at least this risky when the rule matches. */
  readonly level: RiskLevel;
}

const SHELL_LIKE: readonly Language[] = ['bash'];
const PYTHON: readonly Language[] = ['python'];
const NODE: readonly Language[] = ['node'];

/**
 * The regular-expression rules as they were before the syntax analyser: what a run that pinned no rules of its own
 * (started before policy files) is still scored with, so a deploy does not change its outcomes. Scores add up
 * across findings; levels give a floor that no low score can lower. Ids are stable: decisions record them.
 */
export const LEGACY_RISK_RULES: readonly RiskRule[] = [
  // Destruction and denial of service: denied by policy, whatever the language.
  {
    id: 'any.rm-rf-root',
    description: 'recursive forced delete of the root, home or every top-level directory',
    languages: 'any',
    pattern: /\brm\s+(?:-{1,2}[\w-]+\s+)*-[a-zA-Z]*[rR][a-zA-Z]*\s+(?:-{1,2}[\w-]+\s+)*(?:\/|\/\*|~\/?|\$HOME\/?)(?=[\s;&|'"`)]|$)/gm,
    score: 100,
    level: 'critical',
  },
  {
    id: 'sh.fork-bomb',
    description: 'a function that pipes into itself in the background: the classic fork bomb',
    languages: 'any',
    pattern: /([\w:.]+)\s*\(\)\s*\{\s*\1\s*\|\s*\1\s*&\s*;?\s*\}/gm,
    score: 100,
    level: 'critical',
  },
  {
    id: 'py.fork-loop',
    description: 'os.fork() inside an endless loop',
    languages: PYTHON,
    pattern: /while\s+(?:True|1)\s*:[^\n]*\n?[^\n]*\bos\.fork\s*\(/gm,
    score: 100,
    level: 'critical',
  },
  {
    id: 'any.disk-wipe',
    description: 'formats a filesystem or writes raw to a block device',
    languages: 'any',
    pattern: /\bmkfs(?:\.\w+)?\s|\bdd\s[^\n]*\bof=\/dev\/(?:sd|nvme|vd|xvd|hd|mmcblk)/gm,
    score: 100,
    level: 'critical',
  },
  {
    id: 'any.reverse-shell',
    description: 'opens an interactive shell over the network',
    languages: 'any',
    pattern: /\/dev\/(?:tcp|udp)\/|\bnc(?:at)?\s[^\n]*\s-[ec]\s|\bsocat\s[^\n]*exec:/gm,
    score: 100,
    level: 'critical',
  },
  {
    id: 'any.cloud-metadata',
    description: 'reaches for the cloud instance metadata service (credentials)',
    languages: 'any',
    pattern: /169\.254\.169\.254|metadata\.google\.internal|\bfd00:ec2::254\b/gm,
    score: 100,
    level: 'critical',
  },
  // Privilege and secrets.
  {
    id: 'any.credential-files',
    description: 'reads well-known credential or key files',
    languages: 'any',
    pattern: /\/etc\/shadow\b|\.ssh\/(?:id_\w+|authorized_keys)|\.aws\/credentials|\.kube\/config|\.docker\/config\.json/gm,
    score: 70,
    level: 'high',
  },
  {
    id: 'sh.privilege-escalation',
    description: 'runs a command as another user (sudo, su, doas)',
    languages: SHELL_LIKE,
    pattern: /(?:^|[;&|]\s*)(?:sudo|doas|su)\s/gm,
    score: 70,
    level: 'high',
  },
  {
    id: 'sh.download-and-execute',
    description: 'pipes a download straight into an interpreter',
    languages: 'any',
    pattern: /\b(?:curl|wget)\b[^\n|]*\|\s*(?:sudo\s+)?(?:ba|z|da)?sh\b|\b(?:curl|wget)\b[^\n|]*\|\s*python3?\b/gm,
    score: 70,
    level: 'high',
  },
  {
    id: 'py.os-system',
    description: 'runs a shell command through os.system, os.popen or os.exec*',
    languages: PYTHON,
    pattern: /\bos\.(?:system|popen|exec[lv]p?e?|spawn[lv]p?e?|posix_spawnp?)\s*\(/gm,
    score: 70,
    level: 'high',
  },
  {
    id: 'py.ctypes',
    description: 'loads native code or calls libc directly through ctypes',
    languages: PYTHON,
    pattern: /\bctypes\.(?:CDLL|cdll|PyDLL|pythonapi|memmove|memset)\b|\bfrom\s+ctypes\s+import\b[^\n]*\b(?:CDLL|cdll|memmove)\b/gm,
    score: 70,
    level: 'high',
  },
  // Process, filesystem and network effects that a human should look at.
  {
    id: 'py.subprocess',
    description: 'starts other programs through the subprocess module',
    languages: PYTHON,
    pattern: /\bimport\s+(?:[\w.]+\s*,\s*)*subprocess\b|\bfrom\s+subprocess\s+import\b|\bsubprocess\.\w+/gm,
    score: 40,
    level: 'medium',
  },
  {
    id: 'py.dynamic-code',
    description: 'evaluates code built at run time (eval, exec, compile, __import__)',
    languages: PYTHON,
    pattern: /(?<![\w.])(?:eval|exec|compile|__import__)\s*\(/gm,
    score: 40,
    level: 'medium',
  },
  {
    id: 'py.delete-files',
    description: 'deletes files or directory trees',
    languages: PYTHON,
    pattern: /\bshutil\.rmtree\s*\(|\bos\.(?:remove|unlink|rmdir|removedirs)\s*\(|\.unlink\s*\(/gm,
    score: 30,
    level: 'medium',
  },
  {
    id: 'py.network',
    description: 'opens network connections (socket, http, urllib, requests)',
    languages: PYTHON,
    pattern: /\bimport\s+(?:[\w.]+\s*,\s*)*(?:socket|requests|httpx|aiohttp|ftplib|smtplib|paramiko)\b|\bfrom\s+(?:socket|requests|httpx|aiohttp)\s+import\b|\burllib\.request\b|\bhttp\.client\b/gm,
    score: 30,
    level: 'medium',
  },
  {
    id: 'js.child-process',
    description: 'starts other programs through child_process',
    languages: NODE,
    pattern: /['"](?:node:)?child_process['"]|\bchild_process\.\w+/gm,
    score: 40,
    level: 'medium',
  },
  {
    id: 'js.dynamic-code',
    description: 'evaluates code built at run time (eval, new Function, vm)',
    languages: NODE,
    pattern: /(?<![\w.])eval\s*\(|\bnew\s+Function\s*\(|['"](?:node:)?vm['"]/gm,
    score: 40,
    level: 'medium',
  },
  {
    id: 'js.delete-files',
    description: 'deletes files or directory trees',
    languages: NODE,
    pattern: /\b(?:rmSync|rmdirSync|unlinkSync)\s*\(|\bfs(?:\.promises)?\.(?:rm|rmdir|unlink)\s*\(/gm,
    score: 30,
    level: 'medium',
  },
  {
    id: 'js.network',
    description: 'opens network connections (net, http, https, fetch)',
    languages: NODE,
    pattern: /['"](?:node:)?(?:net|http|https|dgram|tls)['"]|(?<![\w.])fetch\s*\(/gm,
    score: 30,
    level: 'medium',
  },
  {
    id: 'sh.delete-files',
    description: 'deletes files recursively or by force',
    languages: SHELL_LIKE,
    pattern: /(?:^|[;&|]\s*)rm\s+(?:-{1,2}[\w-]+\s+)*-[a-zA-Z]*[rRf]/gm,
    score: 30,
    level: 'medium',
  },
  {
    id: 'sh.network-tools',
    description: 'uses network clients (curl, wget, nc, ssh, scp)',
    languages: SHELL_LIKE,
    pattern: /(?:^|[;&|(]\s*)(?:curl|wget|nc|ncat|ssh|scp|rsync|telnet)\s/gm,
    score: 30,
    level: 'medium',
  },
  {
    id: 'any.package-install',
    description: 'installs packages at run time',
    languages: 'any',
    pattern: /\b(?:apt-get|apt|yum|dnf|apk)\s+(?:-\w+\s+)*install\b|\bpip3?\s+install\b|\bnpm\s+(?:i|install)\b/gm,
    score: 30,
    level: 'medium',
  },
  {
    id: 'any.hidden-characters',
    description: 'hidden characters (control or ANSI escapes, bidi overrides, zero-width): the code may not read as it runs',
    languages: 'any',
    pattern: new RegExp(HIDDEN_CHARACTER_SOURCE, 'gm'),
    score: 40,
    level: 'medium',
  },
];

/** Text rules kept beside the syntax analyser: destructive or secret-seeking text, wherever it appears (also in strings). */
const TEXT_RULE_IDS = new Set([
  'any.rm-rf-root',
  'sh.fork-bomb',
  'py.fork-loop',
  'any.disk-wipe',
  'any.reverse-shell',
  'any.cloud-metadata',
  'any.credential-files',
  'sh.download-and-execute',
  'any.package-install',
  // Hidden characters are about what a reviewer sees, which no syntax tree tells.
  'any.hidden-characters',
]);

/**
 * Built-in text rules. What code does (modules, calls, commands) is the analyser's job (policy/analysis/); these
 * catch text that is dangerous wherever it stands, including strings the analyser folded.
 */
export const BUILT_IN_RULES: readonly RiskRule[] = LEGACY_RISK_RULES.filter((rule) => TEXT_RULE_IDS.has(rule.id));
