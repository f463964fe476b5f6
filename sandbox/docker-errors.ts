/** True for a dockerode error carrying the HTTP status `status` (e.g. 404: no such container or image). */
export function hasDockerStatus(err: unknown, status: number): boolean {
  return typeof err === 'object' && err !== null && (err as { statusCode?: unknown }).statusCode === status;
}
