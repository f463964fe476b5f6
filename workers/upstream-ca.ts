import { readFileSync } from 'node:fs';
import tls from 'node:tls';

/**
 * The roots the egress proxy trusts when it terminates TLS to add a credential and connects on to the
 * destination: Node's bundled roots, plus the PEM files listed (comma-separated) in AIRLOCK_EGRESS_UPSTREAM_CA
 * for destinations with a private CA (an internal API, a test server). A file that cannot be read stops the
 * worker: a missing root would only show up later as failed requests.
 */
export function upstreamCaFromEnv(env: NodeJS.ProcessEnv): { upstreamCa?: string[] } {
  const files = (env.AIRLOCK_EGRESS_UPSTREAM_CA ?? '')
    .split(',')
    .map((file) => file.trim())
    .filter((file) => file.length > 0);
  if (files.length === 0) return {};
  const extra = files.map((file) => {
    try {
      return readFileSync(file, 'utf8');
    } catch (err) {
      throw new Error(`AIRLOCK_EGRESS_UPSTREAM_CA: cannot read ${file}: ${(err as Error).message}`, { cause: err });
    }
  });
  return { upstreamCa: [...tls.rootCertificates, ...extra] };
}
