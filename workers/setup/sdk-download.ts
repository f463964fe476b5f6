import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { isExecutable } from './find-executable.js';
import type { ProgressReporter } from './progress.js';

/** Which Temporal binary the SDK should fetch. */
export type SdkBinaryKind = 'cli' | 'test-server';

/**
 * The SDK names its downloads `<prefix>-<sdk name>-<sdk version>`; the CLI's prefix is a prefix of the test
 * server's, so the test server is told apart first.
 */
export function sdkBinaryKindOf(fileName: string): SdkBinaryKind | undefined {
  if (fileName.startsWith('temporal-test-server-')) return 'test-server';
  if (fileName.startsWith('temporal-')) return 'cli';
  return undefined;
}

/** Finds a binary the SDK downloaded into `binDir` earlier. */
export async function findSdkDownload(binDir: string, kind: SdkBinaryKind): Promise<string | undefined> {
  let names: string[];
  try {
    names = await readdir(binDir);
  } catch {
    return undefined;
  }
  for (const name of names.sort().reverse()) {
    const file = path.join(binDir, name);
    if (sdkBinaryKindOf(name) === kind && (await isExecutable(file))) return file;
  }
  return undefined;
}

/**
 * Last resort: let @temporalio/testing download the binary into `binDir` (it does so when it starts an ephemeral
 * server), stop that throw-away server, and hand back the downloaded file. The SDK offers no download-only call,
 * hence the brief start. Loaded lazily because it pulls in the native core bridge.
 */
export async function downloadWithSdk(options: {
  kind: SdkBinaryKind;
  binDir: string;
  onProgress: ProgressReporter;
  logger: Logger;
}): Promise<string> {
  const { kind, binDir } = options;
  const existing = await findSdkDownload(binDir, kind);
  if (existing) return existing;
  await mkdir(binDir, { recursive: true });
  options.onProgress(`downloading the Temporal ${kind === 'cli' ? 'CLI' : 'test server'} with the Temporal SDK into ${binDir}`);
  const { TestWorkflowEnvironment } = await import('@temporalio/testing');
  const executable = { type: 'cached-download' as const, downloadDir: binDir };
  const env =
    kind === 'cli'
      ? await TestWorkflowEnvironment.createLocal({ server: { executable, ip: '127.0.0.1', ui: false } })
      : await TestWorkflowEnvironment.createTimeSkipping({ server: { executable } });
  await env.teardown();
  const downloaded = await findSdkDownload(binDir, kind);
  if (!downloaded) throw new Error(`the Temporal SDK reported success but left no ${kind} binary in ${binDir}`);
  options.logger.info({ path: downloaded }, 'downloaded Temporal binary with the SDK');
  return downloaded;
}
