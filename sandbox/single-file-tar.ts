import { pack } from 'tar-stream';

/** A tar archive (in memory) holding one root-owned file; small inputs only (code, a Dockerfile). */
export async function singleFileTar(name: string, body: Buffer, mode: number): Promise<Buffer> {
  const archive = pack();
  const chunks: Buffer[] = [];
  archive.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
  const done = new Promise<void>((resolve, reject) => {
    archive.on('end', () => resolve());
    archive.on('error', (err: Error) => reject(err));
  });
  await new Promise<void>((resolve, reject) => {
    archive.entry({ name, size: body.length, mode, uid: 0, gid: 0 }, body, (err) => (err ? reject(err) : resolve()));
  });
  archive.finalize();
  await done;
  return Buffer.concat(chunks);
}
