/**
 * The inputs of the risk-scoring bench, one per language and all at the 256 KiB code limit: dense ordinary code
 * (over the analysis budget), the most code the budget lets through with data after it, and a little code with a
 * lot of data.
 */
import { ParseBudget } from '../../policy/analysis/parse-budget.js';
import { syntaxParsers, withSyntaxTree } from '../../policy/analysis/parsers.js';
import { MAX_CODE_BYTES, type Language } from '../../schemas/action.js';

/** Imports once at the top, as real code has them. */
const HEADERS: Readonly<Record<Language, string>> = {
  python: 'import csv\nimport json\nimport statistics\n',
  node: "const fs = require('fs');\nconst path = require('path');\n",
  bash: 'set -eu\n',
};

/** One block of ordinary code per language; `N` makes every copy's names distinct. */
const BLOCKS: Readonly<Record<Language, string>> = {
  python: `

def summarise_N():
    with open("/workspace/data_N.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    values = [float(r["amount"]) for r in rows if r.get("amount")]
    return {"n": len(values), "mean": statistics.mean(values) if values else 0}


print(json.dumps(summarise_N()))
`,
  node: `function summarise_N() {
  const rows = fs.readFileSync(path.join('/workspace', 'data_N.csv'), 'utf8').split('\\n').map((line) => line.split(','));
  const values = rows.map((r) => Number(r[2])).filter((v) => !Number.isNaN(v));
  return { n: values.length, mean: values.reduce((a, b) => a + b, 0) / (values.length || 1) };
}
console.log(JSON.stringify(summarise_N()));
`,
  bash: `summarise_N() {
  awk -F, 'NR > 1 { total += $3; n++ } END { printf "%d %.2f\\n", n, total / (n ? n : 1) }' "$1"
}
summarise_N data_N.csv | sort | head -n 5
`,
};

/** Code of the given language just under the size limit. */
export function codeAtLimit(language: Language): string {
  const parts: string[] = [HEADERS[language]];
  let size = Buffer.byteLength(HEADERS[language]);
  for (let i = 0; ; i++) {
    const block = BLOCKS[language].replace(/_N\b/g, `_${i}`);
    if (size + Buffer.byteLength(block) > MAX_CODE_BYTES) break;
    parts.push(block);
    size += Buffer.byteLength(block);
  }
  return parts.join('');
}
/** Ordinary code at the start of the data-heavy action. */
const DATA_HEAVY_CODE_BYTES = 12 * 1024;

/** Embeds CSV text as a literal the language's parser reads as one token run. */
const DATA_LITERALS: Readonly<Record<Language, (csv: string) => string>> = {
  python: (csv) => `\nDATA = """${csv}"""\nprint(len(DATA.splitlines()))\n`,
  node: (csv) => `\nconst DATA = \`${csv}\`;\nconsole.log(DATA.split('\\n').length);\n`,
  bash: (csv) => `\ncat > data.csv <<'CSV'\n${csv}\nCSV\nwc -l data.csv\n`,
};

/** `blocks` copies of the ordinary block, then CSV rows in a literal up to the size limit. */
export function codeWithData(language: Language, blocks: number): string {
  const parts: string[] = [HEADERS[language]];
  for (let i = 0; i < blocks; i++) parts.push(BLOCKS[language].replace(/_N\b/g, `_${i}`));
  const room = MAX_CODE_BYTES - Buffer.byteLength(parts.join('')) - Buffer.byteLength(DATA_LITERALS[language](''));
  const rows: string[] = ['id,name,amount,day'];
  let csvBytes = rows[0]!.length;
  for (let i = 0; ; i++) {
    const row = `${i},item-${i},${((i * 7.31) % 1000).toFixed(2)},2026-11-${String((i % 28) + 1).padStart(2, '0')}`;
    if (csvBytes + row.length + 1 > room) break;
    rows.push(row);
    csvBytes += row.length + 1;
  }
  parts.push(DATA_LITERALS[language](rows.join('\n')));
  return parts.join('');
}

/**
 * An action as large ones usually are: some code and a lot of data (here CSV rows in a string literal or a
 * here-document), up to the same size limit.
 */
export function dataHeavyAtLimit(language: Language): string {
  const blocks = Math.ceil((DATA_HEAVY_CODE_BYTES - Buffer.byteLength(HEADERS[language])) / Buffer.byteLength(BLOCKS[language]));
  return codeWithData(language, blocks);
}

/** Parser steps `code` takes, counted as the scorer counts them against the analysis budget. */
export async function parseStepsOf(language: Language, code: string): Promise<number> {
  const budget = new ParseBudget(Number.MAX_SAFE_INTEGER);
  const source = language === 'python' ? code.normalize('NFKC') : code;
  withSyntaxTree(await syntaxParsers(), language, source, () => undefined, undefined, budget);
  return budget.spent;
}

/**
 * The most expensive action the budget lets through whole: as many ordinary blocks as fit in `budget` parser
 * steps, then data up to the size limit (data costs almost no steps). Analysed fully, so it shows what an
 * action just under the budget costs.
 */
export async function withinBudgetAtLimit(language: Language, budget: number): Promise<string> {
  let low = 0;
  let high = Math.ceil(MAX_CODE_BYTES / Buffer.byteLength(BLOCKS[language]));
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if ((await parseStepsOf(language, codeWithData(language, mid))) <= budget) low = mid;
    else high = mid - 1;
  }
  return codeWithData(language, low);
}
