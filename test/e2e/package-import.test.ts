/**
 * The package is importable the way the README says: a scratch project that installs Airlock from the tarball
 * `npm pack` makes can `import { AirlockClient, loadConfig } from 'airlock'` (in JavaScript, and in TypeScript with
 * the shipped types), and cannot reach into the package's internals. The scratch project's other dependencies are
 * links to this checkout's node_modules, so nothing is fetched.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const PROJECT_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

describe('the packed package', () => {
  let scratch: string;

  before(async () => {
    scratch = await mkdtemp(path.join(tmpdir(), 'airlock-consumer-'));
    const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', scratch], { cwd: PROJECT_ROOT, maxBuffer: 64 * 1024 * 1024 });
    const [packed] = JSON.parse(stdout) as { filename: string }[];
    const installed = path.join(scratch, 'node_modules', 'airlock');
    await mkdir(installed, { recursive: true });
    await run('tar', ['-xzf', path.join(scratch, packed!.filename), '-C', installed, '--strip-components=1']);
    const deps = path.join(PROJECT_ROOT, 'node_modules');
    for (const name of await readdir(deps)) {
      if (name === 'airlock' || name.startsWith('.')) continue;
      await symlink(path.join(deps, name), path.join(scratch, 'node_modules', name));
    }
    await writeFile(path.join(scratch, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  });
  after(async () => {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('gives the SDK and its configuration to a JavaScript project', async () => {
    const script = [
      "import { AirlockClient, loadConfig, ConfigError, RunNotFoundError } from 'airlock';",
      "const config = loadConfig({ AIRLOCK_HOME: 'state', TEMPORAL_ADDRESS: '127.0.0.1:1' });",
      'let refused = "";',
      "try { loadConfig({ LOG_LEVEL: 'loud' }); } catch (err) { refused = err instanceof ConfigError ? 'ConfigError' : String(err); }",
      'console.log(JSON.stringify({ client: typeof AirlockClient.connect, address: config.TEMPORAL_ADDRESS, home: config.home, refused, errors: typeof RunNotFoundError }));',
    ].join('\n');
    await writeFile(path.join(scratch, 'main.mjs'), script);
    const { stdout } = await run(process.execPath, ['main.mjs'], { cwd: scratch });
    const printed = JSON.parse(stdout) as Record<string, string>;
    assert.equal(printed.client, 'function');
    assert.equal(printed.address, '127.0.0.1:1');
    assert.equal(printed.home, path.join(scratch, 'state'));
    assert.equal(printed.refused, 'ConfigError');
    assert.equal(printed.errors, 'function');
  });

  it('keeps the internals private: the CLI and the dev stack are not importable', async () => {
    await writeFile(path.join(scratch, 'deep.mjs'), "await import('airlock/dist/cli/main.js');\n");
    await assert.rejects(run(process.execPath, ['deep.mjs'], { cwd: scratch }), (err: unknown) =>
      /ERR_PACKAGE_PATH_NOT_EXPORTED/.test(String((err as { stderr?: string }).stderr)),
    );
  });

  it('ships the types a TypeScript project type-checks against', async () => {
    const source = [
      "import { AirlockClient, loadConfig, type RunState } from 'airlock';",
      'export async function firstStatus(): Promise<string | undefined> {',
      '  const airlock = await AirlockClient.connect(loadConfig());',
      "  const run: RunState = await airlock.getRun('run-1');",
      '  return run.actions[0]?.status;',
      '}',
      '',
    ].join('\n');
    await writeFile(path.join(scratch, 'main.ts'), source);
    const tsc = path.join(PROJECT_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const args = ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--skipLibCheck', '--types', 'node', 'main.ts'];
    const checked = await run(process.execPath, [tsc, ...args], { cwd: scratch }).then(
      () => 'ok',
      (err: { stdout?: string }) => err.stdout ?? 'failed',
    );
    assert.equal(checked, 'ok');
    // A wrong use is caught: the types are real, not `any`.
    await writeFile(path.join(scratch, 'wrong.ts'), "import { loadConfig } from 'airlock';\nconst port: number = loadConfig().TEMPORAL_ADDRESS;\nexport { port };\n");
    const wrong = await run(process.execPath, [tsc, ...args.slice(0, -1), 'wrong.ts'], { cwd: scratch }).then(
      () => '',
      (err: { stdout?: string }) => err.stdout ?? '',
    );
    assert.match(wrong, /TS2322/);
  });
});
