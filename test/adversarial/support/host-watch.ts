import { readdir, readFile } from 'node:fs/promises';
import { statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';

/** Host processes whose command line contains `marker`: a sandboxed process that outlived its sandbox. */
export async function hostProcessesWithMarker(marker: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`).catch(() => undefined);
    if (cmdline && cmdline.includes(marker)) found.push(`${entry}: ${cmdline.toString().replace(/\0/g, ' ').trim()}`);
  }
  return found;
}

/** Bytes in use on the file system that holds the host's temporary folder. */
export async function hostTmpUsedBytes(): Promise<number> {
  const stats = await statfs(tmpdir());
  return (stats.blocks - stats.bfree) * stats.bsize;
}

/** Files directly in the host's temporary folder whose name contains `marker`. */
export async function hostTmpFilesWithMarker(marker: string): Promise<string[]> {
  return (await readdir(tmpdir())).filter((name) => name.includes(marker));
}
