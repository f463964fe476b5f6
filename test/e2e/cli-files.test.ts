/**
 * `airlock run --file/--output/--isolation` end to end: the compiled CLI, spawned as a user would run it, against a
 * real Temporal server, real workers (in this process) and the real Docker sandbox.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CLI_PATH, type CliResult } from '../support/cli.js';
import { startTestWorkers, uniqueId, type TestWorkers } from '../support/temporal.js';

const INPUT_CSV = 'name,count\nalpha,1\nbeta,2\n';
/** What job.py writes: the input with a total row, so the output depends on the input file having arrived. */
const EXPECTED_CSV = 'name,count\nalpha,1\nbeta,2\ntotal,3\n';
const JOB_PY = [
  'import csv, os',
  'rows = list(csv.reader(open("/workspace/in.csv")))',
  'total = sum(int(row[1]) for row in rows[1:])',
  'os.makedirs("/workspace/out", exist_ok=True)',
  'with open("/workspace/out/result.csv", "w", newline="") as f:',
  '    csv.writer(f, lineterminator="\\n").writerows(rows + [["total", str(total)]])',
  'print(total)',
  '',
].join('\n');

interface OutputFileJson {
  path: string;
  bytes: number;
  sha256: string;
}

interface RunJson {
  runId: string;
  actions: {
    status: string;
    error?: string;
    result?: { exitCode: number | null; stdout: string; stderr: string; runtime: string; isolation?: string; outputFiles?: OutputFileJson[] };
  }[];
}

void describe('airlock run with input files, output files and isolation', { timeout: 180_000 }, () => {
  let folder: string;
  let stack: TestWorkers;
  let env: NodeJS.ProcessEnv;

  /** The CLI run from `folder`, so that relative --file paths resolve as they would for a user in that folder. */
  function cli(args: string[]): Promise<CliResult> {
    const child = spawn(process.execPath, [CLI_PATH, ...args], { cwd: folder, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    return new Promise((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  }

  function onlyAction(result: CliResult): NonNullable<RunJson['actions'][number]> & { runId: string } {
    assert.equal(result.code, 0, result.stderr);
    const run = JSON.parse(result.stdout) as RunJson;
    assert.equal(run.actions.length, 1);
    const action = run.actions[0]!;
    assert.equal(action.status, 'succeeded', action.error ?? action.result?.stderr);
    return { ...action, runId: run.runId };
  }

  before(async () => {
    folder = await mkdtemp(path.join(os.tmpdir(), 'airlock-cli-files-'));
    await mkdir(path.join(folder, 'data'));
    await writeFile(path.join(folder, 'data', 'in.csv'), INPUT_CSV);
    await writeFile(path.join(folder, 'job.py'), JOB_PY);
    stack = await startTestWorkers();
    env = { ...stack.env, LOG_LEVEL: 'silent' };
  });

  after(async () => {
    await stack?.stop();
    await rm(folder, { recursive: true, force: true });
  });

  void it('places --file in /workspace, lists the --output file with its sha256, and `airlock artifact` prints it', async () => {
    const action = onlyAction(
      await cli(['run', 'job.py', '--file', 'data/in.csv=in.csv', '--output', 'out/*.csv', '--wait', '--json', '--as', 'alice', '--agent', uniqueId('agent')]),
    );
    assert.equal(action.result?.stdout, '3\n');
    assert.equal(action.result?.runtime, 'runc');
    const sha256 = createHash('sha256').update(EXPECTED_CSV).digest('hex');
    assert.deepEqual(action.result?.outputFiles, [{ path: 'out/result.csv', bytes: Buffer.byteLength(EXPECTED_CSV), sha256 }]);

    assert.deepEqual(await cli(['artifact', sha256]), { code: 0, stdout: EXPECTED_CSV, stderr: '' });

    const status = await cli(['status', action.runId]);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /airlock artifact <sha256>/);
    assert.ok(status.stdout.includes(`out/result.csv  ${Buffer.byteLength(EXPECTED_CSV)} bytes  sha256 ${sha256}`), status.stdout);
  });

  void it('runs --isolation strong under gVisor (runsc), files and outputs included', async () => {
    const action = onlyAction(
      await cli(['run', 'job.py', '--isolation', 'strong', '--file', 'data/in.csv=in.csv', '--output', 'out/**', '--wait', '--json', '--as', 'alice']),
    );
    assert.equal(action.result?.runtime, 'runsc');
    assert.equal(action.result?.isolation, 'strong');
    assert.equal(action.result?.stdout, '3\n');
    assert.deepEqual(action.result?.outputFiles?.map((file) => file.path), ['out/result.csv']);
  });

  void it('refuses a missing local file and a REMOTE outside /workspace before starting anything', async () => {
    const missing = await cli(['run', 'job.py', '--file', 'data/nope.csv=in.csv', '--as', 'alice']);
    assert.equal(missing.code, 2);
    assert.equal(missing.stdout, '');
    assert.match(missing.stderr, /--file: local file not found: data\/nope\.csv/);
    const escaping = await cli(['run', 'job.py', '--file', 'data/in.csv=../in.csv', '--as', 'alice']);
    assert.equal(escaping.code, 2);
    assert.match(escaping.stderr, /--file: input file path "\.\.\/in\.csv" has an empty, "\." or "\.\." part/);
  });
});
