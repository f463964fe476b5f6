#!/usr/bin/env node
/** The `airlock` command: wires the process (argv, streams, signals, exit code) to the dispatcher. */
import { loadConfig, type AirlockConfig } from '../platform/config.js';
import type { CliIo } from './context.js';
import { dispatch } from './dispatch.js';

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

const io: CliIo = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  readStdin,
};

const argv = process.argv.slice(2);
const abort = new AbortController();
// Only `up` owns long-lived children that need an orderly stop; other commands keep Node's default (exit at once).
if (argv[0] === 'up') {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    // A Ctrl-C can arrive several times (terminal, npm, bootstrap): every copy is absorbed, the first one stops.
    process.on(signal, () => abort.abort(new Error(`received ${signal}`)));
  }
}

let config: AirlockConfig | undefined;
const exitCode = await dispatch(argv, {
  config: () => (config ??= loadConfig()),
  io,
  signal: abort.signal,
});
// exitCode rather than exit(): lets stdout drain when it is a pipe.
process.exitCode = exitCode;
