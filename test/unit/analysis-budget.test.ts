import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultAnalysisPolicy } from '../../policy/analysis/analysis-policy.js';
import { DEFAULT_PARSE_BUDGET, ParseBudget } from '../../policy/analysis/parse-budget.js';
import { syntaxParsers, withSyntaxTree } from '../../policy/analysis/parsers.js';
import { PolicyFileError } from '../../policy/policy-file-error.js';
import { parsePolicyText } from '../../policy/policy-file-parser.js';
import { currentPolicy } from '../../policy/policy-snapshot.js';
import { ActionScorer, type ScoredAction } from '../../policy/score-action.js';
import type { Language } from '../../schemas/action.js';
import { riskRank } from '../../schemas/risk.js';
import { scoreCode } from '../support/risk-scorer.js';

const BUDGET = 'analysis.budget';

/** Ordinary, safe code of one language: `copies` distinct small functions (what an honest big script looks like). */
function benignCode(language: Language, copies: number): string {
  const block: Record<Language, (i: number) => string> = {
    python: (i) => `\ndef total_${i}(rows):\n    return sum(float(r["amount"]) for r in rows if r.get("amount"))\n\nprint(json.dumps({"t": total_${i}([])}))\n`,
    node: (i) => `function total_${i}(rows) {\n  return rows.map((r) => Number(r[2])).filter((v) => !Number.isNaN(v)).reduce((a, b) => a + b, 0);\n}\nconsole.log(JSON.stringify({ t: total_${i}([]) }));\n`,
    bash: (i) => `total_${i}() {\n  awk -F, '{ s += $3 } END { print s }' "$1"\n}\ntotal_${i} data.csv | sort | head -n 3\n`,
  };
  const header: Record<Language, string> = { python: 'import json\n', node: '', bash: 'set -eu\n' };
  return header[language] + Array.from({ length: copies }, (_, i) => block[language](i)).join('');
}

/** Parser steps `code` takes, counted the way the scorer counts them. */
async function stepsOf(language: Language, code: string): Promise<number> {
  const budget = new ParseBudget(Number.MAX_SAFE_INTEGER);
  withSyntaxTree(await syntaxParsers(), language, code, () => undefined, undefined, budget);
  return budget.spent;
}

/** The most copies of benign code whose parse fits in `steps`. */
async function largestWithin(language: Language, steps: number): Promise<string> {
  // Steps grow in proportion to size: twice the estimate from 100 copies bounds the search.
  let low = 1;
  let high = Math.ceil((steps * 200) / (await stepsOf(language, benignCode(language, 100))));
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if ((await stepsOf(language, benignCode(language, mid))) <= steps) low = mid;
    else high = mid - 1;
  }
  return benignCode(language, low);
}

function scorerWithBudget(parseBudget: number): ActionScorer {
  const policy = currentPolicy({ approvers: null });
  return new ActionScorer({ rules: policy.rules ?? [], thresholds: policy.thresholds, analysis: { ...defaultAnalysisPolicy(), parseBudget } });
}

const EVASIONS: Record<Language, string> = {
  python: '\nimport os\nos.system("id")\n',
  node: "\nrequire('child_process').execSync('id');\n",
  bash: '\nc=r; c+=m; $c -rf ./x\n',
};

/** The rule the analyser names for each evasion when it reads it. */
const EVASION_RULES: Record<Language, string> = { python: 'py.os-system', node: 'js.child-process', bash: 'sh.computed-command' };

describe('analysis budget: code past it is not analysable', () => {
  for (const language of ['python', 'node', 'bash'] as const) {
    it(`holds a ${language} evasion behind a benign prefix larger than the budget, never low`, async () => {
      const padding = benignCode(language, 4_000);
      assert.ok((await stepsOf(language, padding)) > DEFAULT_PARSE_BUDGET, 'the prefix alone is over the default budget');
      const risk = await scoreCode(padding + EVASIONS[language], language);
      assert.ok(riskRank(risk.level) >= riskRank('medium'), `got ${risk.level}`);
      const finding = risk.findings.find((f) => f.ruleId === BUDGET);
      assert.ok(finding, risk.ruleIds.join(','));
      assert.match(finding.description, /^not analysable: larger than the analysis budget/);
      assert.match(finding.match, new RegExp(`budget of ${DEFAULT_PARSE_BUDGET} parser steps`));
      assert.ok(finding.line > 1, 'names the line the parser had reached');
    });
  }

  it('analyses fully the largest benign code within the default budget, and finds an evasion at its end', async () => {
    for (const language of ['python', 'node', 'bash'] as const) {
      const code = await largestWithin(language, DEFAULT_PARSE_BUDGET);
      assert.ok(code.length > 8 * 1024, `${language}: ${code.length} characters fit; the default budget should hold a hand-sized script`);
      const risk = await scoreCode(code, language);
      assert.deepEqual([risk.level, risk.ruleIds], ['low', []], `${language} just under the budget is analysed and low`);
      // Nearly as big, with an evasion at the end: still within the budget, so the analyser reads and names it.
      const evasive = (await largestWithin(language, DEFAULT_PARSE_BUDGET - 40)) + EVASIONS[language];
      assert.ok((await stepsOf(language, evasive)) <= DEFAULT_PARSE_BUDGET);
      const held = await scoreCode(evasive, language);
      assert.ok(!held.ruleIds.includes(BUDGET) && held.ruleIds.includes(EVASION_RULES[language]), `${language}: ${held.ruleIds.join(',')}`);
    }
  });

  it('stops exactly at the budget: a parse of N steps is analysed with N and not with N - 1', async () => {
    const code = benignCode('python', 40);
    const steps = await stepsOf('python', code);
    assert.ok(steps > 10, `the sample takes ${steps} steps`);
    const fits = await scorerWithBudget(steps).score({ language: 'python', code });
    assert.deepEqual([fits.level, fits.ruleIds], ['low', []]);
    const over = await scorerWithBudget(steps - 1).score({ language: 'python', code });
    assert.deepEqual([over.level, over.ruleIds], ['medium', [BUDGET]]);
  });

  it('is one budget per action: the code and its input files that are code draw on it together', async () => {
    const code = benignCode('python', 30);
    const file = benignCode('bash', 30);
    const steps = (await stepsOf('python', code)) + (await stepsOf('bash', file));
    const action: ScoredAction = { language: 'python', code, files: { 'run.sh': file } };
    assert.deepEqual((await scorerWithBudget(steps).score(action)).ruleIds, []);
    const risk = await scorerWithBudget(steps - 1).score(action);
    assert.deepEqual(risk.ruleIds, [BUDGET]);
    assert.match(risk.findings[0]!.description, /\(in input file run\.sh\)$/, 'the file the budget ran out in');
  });

  it('still applies the text rules past the budget: a padded rm -rf / stays critical', async () => {
    const risk = await scoreCode(`${benignCode('bash', 4_000)}\nrm -rf /\n`, 'bash');
    assert.equal(risk.level, 'critical');
    assert.ok(risk.ruleIds.includes(BUDGET) && risk.ruleIds.includes('any.rm-rf-root'), risk.ruleIds.join(','));
  });

  it('keeps a large data literal analysed and low: data costs almost no parser steps', async () => {
    const rows = Array.from({ length: 9_000 }, (_, i) => `${i},item-${i},${(i * 7.31) % 1000}`).join('\n');
    const code = `import json\nDATA = """${rows}"""\nprint(json.dumps(len(DATA.splitlines())))\n`;
    assert.ok(code.length > 200 * 1024);
    assert.ok((await stepsOf('python', code)) < DEFAULT_PARSE_BUDGET / 4);
    assert.deepEqual((await scoreCode(code, 'python')).ruleIds, []);
  });

  it('gives the same score every time, whatever was parsed before (a cancelled parser starts afresh)', async () => {
    const scorer = scorerWithBudget(DEFAULT_PARSE_BUDGET);
    const padded: ScoredAction = { language: 'python', code: benignCode('python', 4_000) + EVASIONS.python };
    const first = await scorer.score(padded, { fresh: true });
    const small = await scorer.score({ language: 'python', code: 'import os\nos.system("id")\n' }, { fresh: true });
    assert.ok(small.ruleIds.includes('py.os-system') && !small.ruleIds.includes(BUDGET), 'the next parse is of the new text');
    await scorer.score({ language: 'node', code: benignCode('node', 4_000) }, { fresh: true });
    assert.deepEqual(await scorer.score(padded, { fresh: true }), first);
  });

  it('never lets a policy weigh the budget finding below medium', async () => {
    const analysis = defaultAnalysisPolicy();
    analysis.parseBudget = 1;
    analysis.rules = analysis.rules.map((r) => (r.id === BUDGET ? { ...r, level: 'low', score: 0 } : r));
    const risk = await new ActionScorer({ rules: [], analysis }).score({ language: 'python', code: benignCode('python', 20) });
    assert.deepEqual([risk.level, risk.ruleIds], ['medium', [BUDGET]]);
  });

  it('uses the built-in budget for a snapshot pinned before the budget existed', async () => {
    const { parseBudget: _dropped, ...older } = defaultAnalysisPolicy();
    const risk = await new ActionScorer({ rules: [], analysis: older }).score({ language: 'python', code: benignCode('python', 4_000) });
    assert.ok(risk.ruleIds.includes(BUDGET));
  });
});

describe('analysis budget in the policy file', () => {
  const parse = (text: string) => parsePolicyText(text, { source: 'p.yaml' });

  it('is pinned in the snapshot: the built-in default, or the file\'s own value', () => {
    assert.equal(currentPolicy({ approvers: null }).analysis?.parseBudget, DEFAULT_PARSE_BUDGET);
    assert.equal(parse('levels:\n  low: { mode: auto }\n').analysis?.parseBudget, DEFAULT_PARSE_BUDGET);
    assert.equal(parse('analysis:\n  parseBudget: 2500\n').analysis?.parseBudget, 2500);
  });

  it('refuses a budget that is not a whole number of steps in range, naming the line', () => {
    for (const value of ['0', '1.5', '-3', '1000001', 'lots']) {
      try {
        parse(`# budget\nanalysis:\n  parseBudget: ${value}\n`);
        assert.fail(`parseBudget ${value} was accepted`);
      } catch (err) {
        assert.ok(err instanceof PolicyFileError, String(err));
        assert.deepEqual([err.issues[0]!.line, err.issues[0]!.field], [3, 'analysis.parseBudget'], value);
      }
    }
  });
});
