import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { after, afterEach, before, describe, it } from 'node:test';
import type Docker from 'dockerode';
import pino from 'pino';
import { FileArtifactStore } from '../../platform/artifact-store.js';
import { containerNameFor } from '../../sandbox/container-name.js';
import { assertDockerReachable, createDockerClient } from '../../sandbox/docker-client.js';
import { DockerSandbox } from '../../sandbox/docker-sandbox.js';
import { SandboxImageMissingError } from '../../sandbox/sandbox-errors.js';
import { ensureSandboxImage } from '../../sandbox/image/ensure-sandbox-image.js';
import { LABELS, MANAGED_LABEL_FILTER } from '../../sandbox/labels.js';
import { resolveLimits, type Language, type ResourceLimits } from '../../schemas/action.js';
import type { ExecutionResult } from '../../schemas/execution.js';

const RUN_ID = `it-sandbox-${process.pid}-${Date.now()}`;
const MIB = 1024 * 1024;
const WORKER_SECRET = 'AIRLOCK_TEST_WORKER_SECRET';

void describe('DockerSandbox against the real engine', { timeout: 240_000 }, () => {
  let docker: Docker;
  let image: string;
  let artifactDir: string;
  let store: FileArtifactStore;
  let sandbox: DockerSandbox;
  const logLines: string[] = [];
  let actionCounter = 0;

  before(async () => {
    docker = createDockerClient();
    await assertDockerReachable(docker);
    ({ image } = await ensureSandboxImage({ docker }));
    artifactDir = await mkdtemp(path.join(tmpdir(), 'airlock-it-artifacts-'));
    store = new FileArtifactStore(artifactDir);
    const logSink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        logLines.push(chunk.toString());
        callback();
      },
    });
    sandbox = new DockerSandbox({ docker, image, artifactStore: store, logger: pino({ level: 'info' }, logSink) });
    process.env[WORKER_SECRET] = 'must-not-leak';
  });

  after(async () => {
    delete process.env[WORKER_SECRET];
    await rm(artifactDir, { recursive: true, force: true });
  });

  afterEach(async () => {
    // Scoped to this file's run id so that sandboxes of other test files running at the same time do not count.
    const filters = { label: [MANAGED_LABEL_FILTER, `${LABELS.runId}=${RUN_ID}`] };
    // The removal runs after the result is returned (off the critical path): close() waits for it.
    await sandbox.close();
    const containers = await docker.listContainers({ all: true, filters });
    const { Volumes: volumes } = await docker.listVolumes({ filters });
    assert.deepEqual(containers.map((c) => c.Names), [], 'no sandbox container may remain');
    assert.deepEqual((volumes ?? []).map((v) => v.Name), [], 'no code volume may remain');
  });

  function run(
    language: Language,
    code: string,
    limits: ResourceLimits = {},
    hooks: Parameters<DockerSandbox['execute']>[1] = {},
    actionId = `a${++actionCounter}`,
  ): Promise<ExecutionResult> {
    return sandbox.execute(
      { runId: RUN_ID, actionId, language, code, limits: resolveLimits({ timeoutSec: 10, ...limits }) },
      hooks,
    );
  }

  void it('runs python, node and bash and returns their output', async () => {
    const python = await run('python', 'print("hello from python")  # code-marker-7f3a');
    assert.equal(python.exitCode, 0);
    assert.equal(python.stdout.text, 'hello from python\n');
    assert.equal(python.stdout.inlineComplete, true);
    assert.equal(python.stderr.text, '');
    assert.equal(python.timedOut, false);
    assert.equal(python.oomKilled, false);
    assert.equal(python.sandbox.image, image);
    assert.match(python.sandbox.imageId, /^sha256:/);
    const stored = await store.get(python.stdout.sha256);
    assert.deepEqual(stored, Buffer.from('hello from python\n'));

    const node = await run('node', 'console.log("hello from node", process.version.startsWith("v"))');
    assert.equal(node.stdout.text, 'hello from node true\n');
    const bash = await run('bash', 'echo "hello from $0 ${BASH_VERSINFO[0]}" | tr a-z A-Z');
    assert.match(bash.stdout.text, /^HELLO FROM \/AIRLOCK\/MAIN\.SH \d+\n$/);

    const logs = logLines.join('');
    assert.match(logs, /sandbox finished/);
    assert.ok(!logs.includes('code-marker-7f3a'), 'code never reaches the log');
    assert.ok(!logs.includes('hello from'), 'output never reaches the log');
  });

  void it('ships python with its standard library', async () => {
    const result = await run(
      'python',
      [
        'import json, csv, sqlite3, urllib.request, urllib.parse, ctypes, io',
        'db = sqlite3.connect(":memory:"); db.execute("create table t(x)"); db.execute("insert into t values (41)")',
        'value = db.execute("select x + 1 from t").fetchone()[0]',
        'out = io.StringIO(); csv.writer(out).writerow([value, urllib.parse.quote("a b")])',
        'print(json.dumps({"row": out.getvalue().strip(), "int": ctypes.sizeof(ctypes.c_int)}))',
      ].join('\n'),
    );
    assert.equal(result.stderr.text, '');
    assert.deepEqual(JSON.parse(result.stdout.text), { row: '42,a%20b', int: 4 });
  });

  void it('keeps stdout and stderr apart and reports a non-zero exit code', async () => {
    const result = await run('bash', 'echo to-out; echo to-err >&2; echo more-out; exit 7');
    assert.equal(result.exitCode, 7);
    assert.equal(result.stdout.text, 'to-out\nmore-out\n');
    assert.equal(result.stderr.text, 'to-err\n');
    assert.notEqual(result.stdout.sha256, result.stderr.sha256);
  });

  void it('kills code that runs past its timeout', async () => {
    let heartbeats = 0;
    const fast = new DockerSandbox({
      docker,
      image,
      artifactStore: store,
      logger: pino({ level: 'silent' }),
      heartbeatIntervalMs: 300,
    });
    const started = Date.now();
    const result = await fast.execute(
      {
        runId: RUN_ID,
        actionId: 'timeout',
        language: 'bash',
        code: 'echo started; sleep 30; echo never',
        limits: resolveLimits({ timeoutSec: 2 }),
      },
      { heartbeat: () => heartbeats++ },
    );
    assert.equal(result.timedOut, true);
    assert.equal(result.stdout.text, 'started\n');
    assert.notEqual(result.exitCode, 0);
    assert.ok(result.durationMs >= 1_900 && result.durationMs < 6_000, `took ${result.durationMs} ms`);
    assert.ok(Date.now() - started < 10_000);
    assert.ok(heartbeats >= 3, `heartbeats: ${heartbeats}`);
    await fast.close();
  });

  void it('reports an out-of-memory kill', async () => {
    const result = await run(
      'python',
      'hog = []\nwhile True:\n    hog.append(bytearray(b"x" * (4 * 1024 * 1024)))',
      { memoryMb: 64 },
    );
    assert.equal(result.oomKilled, true);
    assert.equal(result.timedOut, false);
    assert.equal(result.exitCode, 137);
  });

  void it('caps a flood of output at the limit and flags it as truncated', async () => {
    const flood = 'import sys\nfor _ in range(10):\n    sys.stdout.write("y" * (1024 * 1024))';
    const result = await run('python', flood);
    assert.equal(result.exitCode, 0);
    assert.equal(result.stdout.bytes, MIB);
    assert.equal(result.stdout.truncated, true);
    assert.equal(result.stdout.inlineComplete, false);
    assert.ok(Buffer.byteLength(result.stdout.text) <= 64 * 1024);
    const stored = await store.get(result.stdout.sha256);
    assert.equal(stored?.length, MIB);
    assert.ok(stored?.every((byte) => byte === 0x79));
  });

  void it('kills and removes the container quickly when aborted', async () => {
    const controller = new AbortController();
    const reason = new Error('cancelled by test');
    const pending = run('bash', 'echo started; sleep 30', { timeoutSec: 30 }, { signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const abortedAt = Date.now();
    controller.abort(reason);
    await assert.rejects(pending, (err) => err === reason);
    assert.ok(Date.now() - abortedAt < 3_000, `abort took ${Date.now() - abortedAt} ms`);
  });

  void it('refuses to start when already aborted, creating nothing', async () => {
    const reason = new Error('already cancelled');
    await assert.rejects(run('bash', 'true', {}, { signal: AbortSignal.abort(reason) }), (err) => err === reason);
  });

  void it('confines the code: nobody user, no capabilities, no network, read-only root', async () => {
    const code = [
      'import json, os, socket',
      'status = dict(line.split(":\\t", 1) for line in open("/proc/self/status") if ":\\t" in line)',
      'ifaces = [l.split(":")[0].strip() for l in open("/proc/net/dev").read().splitlines()[2:]]',
      'def writable(p):',
      '    try:',
      '        open(p, "w").close(); return True',
      '    except OSError:',
      '        return False',
      'print(json.dumps({',
      '  "uid": os.getuid(), "gid": os.getgid(), "cwd": os.getcwd(),',
      '  "capEff": status["CapEff"].strip(), "noNewPrivs": status["NoNewPrivs"].strip(),',
      '  "ifaces": ifaces, "env": sorted(os.environ),',
      '  "rootWritable": writable("/probe"), "etcWritable": writable("/etc/probe"),',
      '  "codeWritable": writable("/airlock/main.py"), "codeDirWritable": writable("/airlock/new.py"),',
      '  "tmpWritable": writable("/tmp/probe"), "workspaceWritable": writable("/workspace/probe"),',
      '  "dockerSocket": os.path.exists("/var/run/docker.sock"), "hostname": socket.gethostname(),',
      '}))',
    ].join('\n');
    const result = await run('python', code);
    assert.equal(result.stderr.text, '');
    const seen = JSON.parse(result.stdout.text) as Record<string, unknown>;
    // Its own uid from the worker's range (so RLIMIT_NPROC is per sandbox), gid of the same number.
    assert.ok(Number(seen.uid) >= 100_000 && Number(seen.uid) <= 165_535, `uid ${String(seen.uid)}`);
    assert.equal(seen.gid, seen.uid);
    assert.equal(seen.cwd, '/workspace');
    assert.equal(seen.capEff, '0000000000000000');
    assert.equal(seen.noNewPrivs, '1');
    assert.deepEqual(seen.ifaces, ['lo']);
    assert.equal(seen.rootWritable, false);
    assert.equal(seen.etcWritable, false);
    assert.equal(seen.codeWritable, false);
    assert.equal(seen.codeDirWritable, false);
    assert.equal(seen.tmpWritable, true);
    assert.equal(seen.workspaceWritable, true);
    assert.equal(seen.dockerSocket, false);
    assert.match(String(seen.hostname), /^sbx-[0-9a-f]{12}$/);
    // Docker itself adds HOSTNAME; nothing comes from the worker's environment.
    assert.deepEqual(seen.env, ['HOME', 'HOSTNAME', 'LANG', 'PATH']);
  });

  void it('replaces a container left by an earlier attempt of the same action', async () => {
    const name = containerNameFor(RUN_ID, 'retried');
    await docker.createContainer({
      name,
      Image: image,
      Cmd: ['true'],
      Labels: { [LABELS.managed]: 'true', [LABELS.runId]: RUN_ID },
    });
    const result = await run('bash', 'echo second attempt', {}, {}, 'retried');
    assert.equal(result.stdout.text, 'second attempt\n');
    assert.equal(result.sandbox.containerName, name);
  });

  void it('explains how to build a missing image', async () => {
    const missing = new DockerSandbox({
      docker,
      image: 'airlock-sandbox-missing:none',
      artifactStore: store,
      logger: pino({ level: 'silent' }),
    });
    await assert.rejects(
      missing.execute({ runId: RUN_ID, actionId: 'x', language: 'bash', code: 'true', limits: resolveLimits({}) }),
      (err) => err instanceof SandboxImageMissingError && /build-main/.test(err.message),
    );
  });
});
