import { randomBytes } from 'node:crypto';
import { chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { findFreePort } from '../dev-stack/port-check.js';
import type { PostgresqlPrograms } from '../setup/ensure-postgresql.js';
import { runCommand } from '../setup/run-command.js';
import { startManagedProcess, waitUntilReadyOrStop, type ManagedProcess } from './managed-process.js';

const LOOPBACK = '127.0.0.1';
const READY_TIMEOUT_MS = 60_000;
/** PostgreSQL refuses to run as root; as root the cluster runs as the account Debian's package creates. */
const SERVICE_ACCOUNT = 'postgres';
/** The cluster's superuser, which Temporal connects as (the cluster is private to one topology). */
const SUPERUSER = 'temporal';

/** A private PostgreSQL cluster: its own folder, loopback port and socket folder. */
export interface PostgresCluster {
  host: string;
  port: number;
  user: string;
  password: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

/** uid and gid of `account` from /etc/passwd; undefined when it has none. */
async function accountIds(account: string): Promise<{ uid: number; gid: number } | undefined> {
  const passwd = await readFile('/etc/passwd', 'utf8').catch(() => '');
  const fields = passwd.split('\n').map((line) => line.split(':')).find((entry) => entry[0] === account);
  return fields ? { uid: Number(fields[2]), gid: Number(fields[3]) } : undefined;
}

/**
 * initdb in a new temporary folder (its own, not inside the caller's: as root the cluster runs as another account,
 * which must be able to reach it), then the server on a free loopback port with its socket there too, so it never
 * meets the machine's own cluster. `stop()` stops the server and deletes the folder. Password authentication over TCP (what Temporal uses). `synchronous_commit=off` trades the
 * last few milliseconds of commits in an operating-system crash for speed on a shared test machine; a killed
 * PostgreSQL still recovers to a consistent state. Resolves once the server accepts connections.
 */
export async function startPostgresCluster(options: { programs: PostgresqlPrograms }): Promise<PostgresCluster> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'airlock-postgresql-'));
  try {
    return await startIn(dir, options.programs);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

async function startIn(dir: string, programs: PostgresqlPrograms): Promise<PostgresCluster> {
  const dataDir = path.join(dir, 'data');
  const socketDir = path.join(dir, 'socket');
  const passwordFile = path.join(dir, 'superuser-password');
  const password = randomBytes(18).toString('hex');
  await mkdir(socketDir, { recursive: true });
  await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });

  const asRoot = process.getuid?.() === 0;
  const ids = asRoot ? await accountIds(SERVICE_ACCOUNT) : undefined;
  if (asRoot && !ids) throw new Error(`PostgreSQL does not run as root, and there is no "${SERVICE_ACCOUNT}" account to run it as (Debian's postgresql package creates one)`);
  if (ids) for (const owned of [dir, socketDir, passwordFile]) await chown(owned, ids.uid, ids.gid);
  const command = (program: string, args: string[]) => (asRoot ? { command: 'runuser', args: ['-u', SERVICE_ACCOUNT, '--', program, ...args] } : { command: program, args });

  const init = command(programs.initdb, ['-D', dataDir, '-U', SUPERUSER, `--pwfile=${passwordFile}`, '--auth-local=peer', '--auth-host=scram-sha-256', '-E', 'UTF8', '--locale=C', '--no-instructions']);
  const initialised = await runCommand(init.command, init.args, { timeoutMs: 120_000 });
  if (initialised.exitCode !== 0) throw new Error(`initdb failed: ${(initialised.stderr || initialised.stdout).trim().split('\n').slice(-6).join('\n')}`);

  const port = await findFreePort(LOOPBACK);
  const serve = command(programs.postgres, [
    '-D', dataDir,
    '-p', String(port),
    '-k', socketDir,
    '-c', `listen_addresses=${LOOPBACK}`,
    '-c', 'max_connections=200',
    '-c', 'synchronous_commit=off',
  ]);
  const server = startManagedProcess({ name: 'PostgreSQL', command: serve.command, args: serve.args, logFile: path.join(dir, 'postgresql.log') });
  const isReady = path.join(programs.binDir, 'pg_isready');
  await waitUntilReadyOrStop(server, async () => (await runCommand(isReady, ['-q', '-h', LOOPBACK, '-p', String(port)])).exitCode === 0, READY_TIMEOUT_MS);
  const stop = async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  };
  return { host: LOOPBACK, port, user: SUPERUSER, password, process: server, stop };
}
