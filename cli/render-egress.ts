import type { EgressAttempt } from '../schemas/network.js';

/** Host and reason come from the sandboxed code's requests: control characters are shown as `?`. */
function printable(text: string): string {
  return [...text].map((c) => (c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f ? '?' : c)).join('');
}

/**
 * The egress record for `airlock audit`: a header at `indent`, then one line per attempt (when, verdict, what,
 * bytes each way, and the reason when there is one) indented two more spaces.
 */
export function renderEgressLines(attempts: readonly EgressAttempt[], omitted: number, indent: string): string[] {
  const total = attempts.length + omitted;
  const lines = [`${indent}egress: ${total} attempt${total === 1 ? '' : 's'} through the proxy`];
  for (const a of attempts) {
    const host = a.host.includes(':') ? `[${a.host}]` : a.host;
    const status = a.status !== undefined ? ` ${a.status}` : '';
    const via = a.address && a.address !== a.host ? ` via ${a.address}` : '';
    const reason = a.reason ? `: ${a.reason}` : '';
    const secret = a.credential ? `, secret ${a.credential} added${a.intercepted ? ' (TLS terminated by the proxy)' : ''}` : '';
    lines.push(
      printable(
        `${indent}  ${a.at}  ${a.verdict}${status} ${a.method} ${host}:${a.port}${via}, ` +
          `${a.bytesSent} B sent, ${a.bytesReceived} B received${secret}${reason}`,
      ),
    );
  }
  if (omitted > 0) lines.push(`${indent}  … ${omitted} more, not kept in the record (see the worker's log)`);
  return lines;
}
