/**
 * Links from a run to its workflow in the Temporal Web UI. Without an explicit base URL the UI is assumed where
 * the Temporal CLI's dev server puts it: same host, gRPC port + 1000.
 */

const UI_PORT_OFFSET = 1000;

/** Base URL of the Temporal Web UI for a gRPC address like `127.0.0.1:7233`; undefined when it cannot be guessed. */
export function defaultTemporalWebUrl(temporalAddress: string): string | undefined {
  const match = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(temporalAddress.trim());
  if (!match) return undefined;
  const port = Number(match[2]) + UI_PORT_OFFSET;
  if (port > 65_535) return undefined;
  const host = match[1] === '0.0.0.0' ? '127.0.0.1' : (match[1] as string);
  return `http://${host}:${port}`;
}

/** The page of one workflow (run) in the Temporal Web UI. */
export function workflowWebUrl(baseUrl: string, namespace: string, runId: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(runId)}`;
}
