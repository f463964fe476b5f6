import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type Docker from 'dockerode';
import pino from 'pino';
import { FileArtifactStore } from '../../platform/artifact-store.js';
import { assertDockerReachable, createDockerClient } from '../../sandbox/docker-client.js';
import { DockerSandbox } from '../../sandbox/docker-sandbox.js';
import { newWorkerInstanceId } from '../../sandbox/worker-instance.js';
import { ensureSandboxImage } from '../../sandbox/image/ensure-sandbox-image.js';
import { LABELS, MANAGED_LABEL_FILTER } from '../../sandbox/labels.js';
import { SandboxUidAllocator } from '../../sandbox/uid-allocator.js';
import { poolClassFor } from '../../sandbox/warm/pool-class.js';
import { POOL_LABEL, startWarmContainer, warmCodeArchive, ZYGOTE_GRACE_SEC, type WarmContainer } from '../../sandbox/warm/warm-container.js';
import { encodeRequest } from '../../sandbox/warm/zygote-protocol.js';
import { TOKEN_BYTES } from '../../sandbox/warm/zygote-source.js';
import { resolveLimits } from '../../schemas/action.js';
import type { ExecutionRequest } from '../../schemas/execution.js';

const RUN_ID = `it-warm-${process.pid}-${Date.now()}`;
const OWNER = { host: hostname(), pid: process.pid };
/** The sandbox's own owner label: its worker instance id (warm containers started directly below use OWNER). */
const INSTANCE = newWorkerInstanceId();

async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The container's state, or 'gone'. */
async function stateOf(docker: Docker, id: string): Promise<{ running: boolean; exitCode: number } | 'gone'> {
  try {
    const info = await docker.getContainer(id).inspect();
    return { running: info.State.Running, exitCode: info.State.ExitCode };
  } catch {
    return 'gone';
  }
}

void describe('warm single-use sandboxes against the real engine', { timeout: 240_000 }, () => {
  let docker: Docker;
  let image: string;
  let imageId: string;
  let artifactDir: string;
  let store: FileArtifactStore;
  let sandbox: DockerSandbox;
  const direct: WarmContainer[] = [];
  let counter = 0;

  const request = (code: string, extra: Partial<ExecutionRequest> = {}): ExecutionRequest => ({
    runId: RUN_ID,
    actionId: `a${++counter}`,
    language: 'python',
    code,
    limits: resolveLimits({ timeoutSec: 20 }),
    ...extra,
  });

  before(async () => {
    docker = createDockerClient();
    await assertDockerReachable(docker);
    ({ image } = await ensureSandboxImage({ docker }));
    imageId = (await docker.getImage(image).inspect()).Id;
    artifactDir = await mkdtemp(path.join(tmpdir(), 'airlock-it-warm-'));
    store = new FileArtifactStore(artifactDir);
    sandbox = new DockerSandbox({
      docker,
      image,
      artifactStore: store,
      logger: pino({ level: 'silent' }),
      instanceId: INSTANCE,
      // Every request waits for a warm container, so each test really runs pooled.
      warmPool: { perClass: { standard: 2, strong: 1 }, maxClasses: 4, idleSec: 120, acquireWaitMs: 60_000 },
    });
    await sandbox.prewarm();
  });

  after(async () => {
    await sandbox.close();
    for (const warm of direct) await docker.getContainer(warm.id).remove({ force: true }).catch(() => undefined);
    await rm(artifactDir, { recursive: true, force: true });
    const ours = await docker.listContainers({ all: true, filters: { label: [MANAGED_LABEL_FILTER, `${LABELS.owner}=${INSTANCE}`] } });
    assert.deepEqual(ours.map((c) => c.Names), [], 'closing the sandbox removes every warm container it made');
  });

  void it('runs code in a pooled container, with exit code, both streams and usage, and removes it afterwards', async () => {
    const result = await sandbox.execute(request('import sys\nprint("out")\nprint("err", file=sys.stderr)\nsys.exit(3)'));
    assert.equal(result.sandbox.pooled, true);
    assert.equal(result.exitCode, 3);
    assert.equal(result.stdout.text, 'out\n');
    assert.equal(result.stderr.text, 'err\n');
    assert.equal(result.sandbox.imageId, imageId);
    assert.ok((result.usage?.cpuMs ?? -1) >= 0);
    assert.match(result.sandbox.containerName, /^airlock-pool-/);
    await eventually('the used container to be removed', async () => ((await stateOf(docker, result.sandbox.containerId)) === 'gone' ? true : undefined));
  });

  void it('runs node and bash, input files and declared outputs, and reports timeouts and tracebacks like the cold path', async () => {
    const node = await sandbox.execute(request('console.log("from node")', { language: 'node' }));
    assert.deepEqual([node.sandbox.pooled, node.exitCode, node.stdout.text], [true, 0, 'from node\n']);
    const bash = await sandbox.execute(request('echo from bash; exit 4', { language: 'bash' }));
    assert.deepEqual([bash.sandbox.pooled, bash.exitCode, bash.stdout.text], [true, 4, 'from bash\n']);
    const files = await sandbox.execute(
      request('data = open("in/given.txt").read()\nopen("made.txt", "w").write(data.upper())', { files: { 'in/given.txt': 'given' }, outputs: ['made.txt'] }),
    );
    assert.equal(files.exitCode, 0, files.stderr.text);
    assert.deepEqual(files.outputFiles?.map((f) => [f.path, f.preview]), [['made.txt', 'GIVEN']]);
    const raised = await sandbox.execute(request('raise ValueError("boom")'));
    assert.equal(raised.exitCode, 1);
    assert.match(raised.stderr.text, /^Traceback[^\n]*\n {2}File "[^"]+main\.py", line 1/, 'the traceback starts at the code');
    const slow = await sandbox.execute(request('import time\nprint("started", flush=True)\ntime.sleep(30)', { limits: resolveLimits({ timeoutSec: 2 }) }));
    assert.equal(slow.timedOut, true);
    assert.equal(slow.stdout.text, 'started\n');
    assert.deepEqual(slow.usage?.limitsHit, ['timeout']);
  });

  void it('labels pooled containers like any other (managed, owner, deadline, uid) with the hardened spec', async () => {
    const idle = await eventually('an idle warm container', async () => {
      const found = await docker.listContainers({ filters: { label: [MANAGED_LABEL_FILTER, `${LABELS.owner}=${INSTANCE}`, POOL_LABEL] } });
      return found[0];
    });
    assert.ok(Number(idle.Labels[LABELS.deadline]) > Date.now(), 'a deadline the reaper can act on');
    assert.ok(Number(idle.Labels[LABELS.uid]) >= 100_000);
    const info = await docker.getContainer(idle.Id).inspect();
    assert.equal(info.HostConfig.ReadonlyRootfs, true);
    assert.deepEqual(info.HostConfig.CapDrop, ['ALL']);
    assert.equal(info.HostConfig.NetworkMode, 'none');
    assert.ok(info.HostConfig.SecurityOpt?.includes('no-new-privileges'));
    assert.equal(info.Config.User, `${idle.Labels[LABELS.uid]}:${idle.Labels[LABELS.uid]}`);
  });

  void it('never hands a container out twice, even to requests at the same time', async () => {
    const results = await Promise.all([1, 2, 3, 4].map(() => sandbox.execute(request('import socket\nprint(socket.gethostname())'))));
    assert.ok(results.every((r) => r.sandbox.pooled === true && r.exitCode === 0));
    assert.equal(new Set(results.map((r) => r.sandbox.containerId)).size, 4);
    assert.equal(new Set(results.map((r) => r.stdout.text)).size, 4);
  });

  // Started directly (not through the pool), as a worker that then dies would leave them.
  const startDirect = async (idleSec: number): Promise<WarmContainer> => {
    const uids = new SandboxUidAllocator({ first: 170_000 + (process.pid % 1000) * 10, last: 170_009 + (process.pid % 1000) * 10 });
    const poolClass = poolClassFor(request('pass'), { runtime: undefined, isolation: 'standard' }, imageId);
    const warm = await startWarmContainer({ docker, poolClass, uid: await uids.allocate(), owner: OWNER, idleSec, archive: await warmCodeArchive() });
    direct.push(warm);
    return warm;
  };

  void it('an idle pooled container stops by itself at the end of its idle lifetime', async () => {
    const warm = await startDirect(2);
    const state = await eventually('the idle zygote to exit', async () => {
      const s = await stateOf(docker, warm.id);
      return s !== 'gone' && !s.running ? s : undefined;
    });
    assert.equal(state.exitCode, 0);
    warm.stream.destroy();
  });

  void it('a pooled container stops by itself when its worker goes away while it is idle', async () => {
    const warm = await startDirect(600);
    // A dead worker's connection closes: the zygote's stdin ends.
    warm.stream.destroy();
    await eventually('the orphaned zygote to exit', async () => {
      const s = await stateOf(docker, warm.id);
      return s !== 'gone' && !s.running ? true : undefined;
    });
  });

  void it('a pooled container running code stops at the wall-clock limit by itself, with nobody watching', async () => {
    const warm = await startDirect(600);
    const marker = randomBytes(4).toString('hex');
    warm.stream.write(encodeRequest({ language: 'python', code: `import time\ntime.sleep(300) # ${marker}`, timeoutSec: 1 }, randomBytes(TOKEN_BYTES)));
    const sent = Date.now();
    warm.stream.destroy();
    const state = await eventually(
      'the in-container deadline to end the code',
      async () => {
        const s = await stateOf(docker, warm.id);
        return s !== 'gone' && !s.running ? s : undefined;
      },
      30_000,
    );
    const took = Date.now() - sent;
    assert.equal(state.exitCode, 137);
    assert.ok(took < (1 + ZYGOTE_GRACE_SEC + 10) * 1000, `took ${took} ms`);
  });
});
