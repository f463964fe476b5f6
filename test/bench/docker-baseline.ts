/**
 * The baseline every Airlock number is compared with: the same image and code through the plain Docker CLI, with
 * none of Airlock's hardening or bookkeeping. Labelled so that a leftover can be found as the bench's own.
 */
import { spawn } from 'node:child_process';

export const BENCH_LABEL = 'dev.airlock.bench';

export function dockerRun(image: string, code: string, options: { runtime?: string } = {}): Promise<string> {
  const args = ['run', '--rm', '--network', 'none', '--label', `${BENCH_LABEL}=${process.pid}`];
  if (options.runtime) args.push('--runtime', options.runtime);
  args.push(image, 'python3', '-c', code);
  return new Promise((resolve, reject) => {
    const child = spawn('docker', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let errors = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(output) : reject(new Error(`docker run exited with ${code}: ${errors.trim()}`))));
  });
}
