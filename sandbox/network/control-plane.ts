import { DOCKER_API_PORTS, WELL_KNOWN_CONTROL_PLANE_PORTS } from '../../schemas/network.js';

/**
 * What the egress proxy never connects to, whatever the allowlist says and whoever approved it: the services
 * that run Airlock itself. `ports` are refused on every loopback, private and host address; `endpoints` are
 * refused on the addresses their hosts resolve to (a Temporal cluster elsewhere), and the Docker API's ports
 * everywhere.
 */
export interface ControlPlane {
  ports: ReadonlySet<number>;
  endpoints: readonly { host: string; port: number }[];
}

/** AIRLOCK_CONTROL_PLANE holds something that is neither `host:port` nor a port: refused, not ignored. */
export class ControlPlaneConfigError extends Error {
  override readonly name = 'ControlPlaneConfigError';
  constructor(readonly item: string) {
    super(`AIRLOCK_CONTROL_PLANE: "${item}" is neither host:port nor a port number (use a comma-separated list)`);
  }
}

/** A `host:port` (or `[v6]:port`) from the environment, or undefined when it is not one. */
function hostPort(text: string): { host: string; port: number } | undefined {
  const match = /^\[?([^\]]*?)\]?:(\d{1,5})$/.exec(text.trim().replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, ''));
  if (!match || !match[1]) return undefined;
  const port = Number(match[2]);
  return port >= 1 && port <= 65_535 ? { host: match[1].toLowerCase(), port } : undefined;
}

/** Port of a variable that holds a port number (AIRLOCK_HTTP_PORT), when set to one. */
function portOf(text: string | undefined): number | undefined {
  const port = Number(text);
  return Number.isInteger(port) && port >= 1 && port <= 65_535 ? port : undefined;
}

/** The default Airlock API port (schemas/channels-env.ts). */
const DEFAULT_API_PORT = 8080;
/** The embedded stack puts the Temporal Web UI this far above the frontend port. */
const UI_PORT_OFFSET = 1000;

/**
 * The control plane as this process's environment describes it: TEMPORAL_ADDRESS (and its Web UI, 1000 above),
 * AIRLOCK_TEMPORAL_PORT / AIRLOCK_UI_PORT of the embedded stack, AIRLOCK_HTTP_PORT (API and approval UI),
 * AIRLOCK_TEMPORAL_METRICS_ADDRESS, and AIRLOCK_CONTROL_PLANE: a comma-separated list of further `host:port`
 * (or bare ports) the deployment counts as control plane. The well-known ports are always in.
 */
export function controlPlaneFromEnv(env: NodeJS.ProcessEnv = process.env): ControlPlane {
  const ports = new Set<number>([...WELL_KNOWN_CONTROL_PLANE_PORTS, ...DOCKER_API_PORTS]);
  const endpoints: { host: string; port: number }[] = [];
  const addEndpoint = (text: string | undefined) => {
    const endpoint = text ? hostPort(text) : undefined;
    if (!endpoint) return;
    endpoints.push(endpoint);
    ports.add(endpoint.port);
  };
  const temporal = hostPort(env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233');
  if (temporal) {
    addEndpoint(`${temporal.host.includes(':') ? `[${temporal.host}]` : temporal.host}:${temporal.port}`);
    if (temporal.port + UI_PORT_OFFSET <= 65_535) ports.add(temporal.port + UI_PORT_OFFSET);
  }
  for (const name of ['AIRLOCK_TEMPORAL_PORT', 'AIRLOCK_UI_PORT'] as const) {
    const port = portOf(env[name]);
    if (port) ports.add(port);
  }
  ports.add(portOf(env.AIRLOCK_HTTP_PORT) ?? DEFAULT_API_PORT);
  addEndpoint(env.AIRLOCK_TEMPORAL_METRICS_ADDRESS);
  for (const item of (env.AIRLOCK_CONTROL_PLANE ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const port = portOf(item);
    if (port) ports.add(port);
    else if (hostPort(item)) addEndpoint(item);
    else throw new ControlPlaneConfigError(item);
  }
  return { ports, endpoints };
}
