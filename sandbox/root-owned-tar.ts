import { pack } from 'tar-stream';

/** One file of an in-memory tar archive. */
export interface TarEntry {
  name: string;
  body: Buffer;
  mode: number;
}

/** A tar archive (in memory) of root-owned files; small inputs only (code, launchers, a Dockerfile). */
export async function rootOwnedTar(entries: readonly TarEntry[]): Promise<Buffer> {
  const archive = pack();
  const chunks: Buffer[] = [];
  archive.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
  const done = new Promise<void>((resolve, reject) => {
    archive.on('end', () => resolve());
    archive.on('error', (err: Error) => reject(err));
  });
  for (const { name, body, mode } of entries) {
    await new Promise<void>((resolve, reject) => {
      archive.entry({ name, size: body.length, mode, uid: 0, gid: 0 }, body, (err) => (err ? reject(err) : resolve()));
    });
  }
  archive.finalize();
  await done;
  return Buffer.concat(chunks);
}
