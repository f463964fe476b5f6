import { z } from 'zod';
import type { Language } from '../../schemas/action.js';
import type { InputFiles } from '../../schemas/files.js';
import { MAX_FRAME_BYTES, TOKEN_BYTES, TRAILER_BYTES, TRAILER_MAGIC } from './zygote-source.js';

/** The request as the zygote reads it. */
export interface ZygoteRequest {
  language: Language;
  code: string;
  files?: InputFiles;
  timeoutSec: number;
}

/** The request frame is larger than the zygote accepts (the schemas keep real requests far below it). */
export class ZygoteFrameTooLargeError extends Error {
  override readonly name = 'ZygoteFrameTooLargeError';
  constructor(readonly bytes: number) {
    super(`a warm sandbox request of ${bytes} bytes is above the ${MAX_FRAME_BYTES}-byte frame limit`);
  }
}

/** Length-prefixed JSON (4 bytes, big-endian), then the token in hex: exactly what the zygote reads from stdin. */
export function encodeRequest(request: ZygoteRequest, token: Buffer): Buffer {
  if (token.length !== TOKEN_BYTES) throw new RangeError(`the token must be ${TOKEN_BYTES} bytes`);
  const body = Buffer.from(JSON.stringify(request), 'utf8');
  if (body.length > MAX_FRAME_BYTES) throw new ZygoteFrameTooLargeError(body.length);
  const size = Buffer.alloc(4);
  size.writeUInt32BE(body.length);
  return Buffer.concat([size, body, Buffer.from(token.toString('hex'), 'ascii')]);
}

const nullableInt = z.number().int().nullable();

/** The zygote's end report. The memory figures are the container's cgroup v1 files (null where not readable). */
export const ZygoteReportSchema = z.object({
  /** The code's exit status as Python's waitstatus_to_exitcode gives it: negative for a signal. */
  exit: z.number().int(),
  wallMs: z.number().nonnegative(),
  cpuMs: z.number().int().nonnegative(),
  maxRssKb: z.number().int().nonnegative(),
  memPeak: nullableInt,
  memLimit: nullableInt,
  memFail: nullableInt,
});
export type ZygoteReport = z.infer<typeof ZygoteReportSchema>;

/** The shell convention the cold path's exec reports too: 128 + signal for a process ended by a signal. */
export function exitCodeOf(report: ZygoteReport): number {
  return report.exit < 0 ? 128 - report.exit : report.exit;
}

/** Parses one fixed-length trailer; undefined unless it is exactly a trailer with this execution's token. */
export function parseTrailer(bytes: Buffer, token: Buffer): ZygoteReport | undefined {
  if (bytes.length !== TRAILER_BYTES || bytes[TRAILER_BYTES - 1] !== 0x0a) return undefined;
  const text = bytes.toString('latin1').trimEnd();
  const prefix = `${TRAILER_MAGIC}${token.toString('hex')} `;
  if (!text.startsWith(prefix)) return undefined;
  try {
    const parsed = ZygoteReportSchema.safeParse(JSON.parse(text.slice(prefix.length)));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Splits one output stream into the code's bytes and the zygote's trailer: the last TRAILER_BYTES are held back
 * until they turn out to be the trailer (then the stream is done) or are pushed out by more bytes (then they were
 * output). The code never has the token, so it cannot end its stream early by printing a trailer of its own.
 */
export class TrailerSplitter {
  private held: Buffer = Buffer.alloc(0);
  private report: ZygoteReport | undefined;

  constructor(
    private readonly token: Buffer,
    private readonly forward: (chunk: Buffer) => void,
    private readonly onTrailer: (report: ZygoteReport) => void,
  ) {}

  write(chunk: Buffer): void {
    if (this.report) return; // nothing can follow the trailer (the zygote killed every other writer first)
    const all = this.held.length === 0 ? chunk : Buffer.concat([this.held, chunk]);
    if (all.length > TRAILER_BYTES) this.forward(all.subarray(0, all.length - TRAILER_BYTES));
    this.held = Buffer.from(all.subarray(Math.max(0, all.length - TRAILER_BYTES)));
    const report = parseTrailer(this.held, this.token);
    if (report) {
      this.report = report;
      this.held = Buffer.alloc(0);
      this.onTrailer(report);
    }
  }

  /** The stream ended without a trailer (the container died): what was held back was output after all. */
  flush(): void {
    if (this.report || this.held.length === 0) return;
    this.forward(this.held);
    this.held = Buffer.alloc(0);
  }

  get trailer(): ZygoteReport | undefined {
    return this.report;
  }
}
