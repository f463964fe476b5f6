/** URLs and element ids the pages, the routes and the browser script agree on. */

export function runPath(runId: string): string {
  return `/runs/${encodeURIComponent(runId)}`;
}

export function decisionPath(runId: string, actionId: string): string {
  return `${runPath(runId)}/actions/${encodeURIComponent(actionId)}/decision`;
}

export function runLivePath(runId: string): string {
  return `/ui/live/runs/${encodeURIComponent(runId)}`;
}

/** Id of an action's article on the run page (actions ids are short and URL-safe). */
export function actionAnchor(actionId: string): string {
  return `action-${actionId}`;
}

/** Id of a code line, so a finding can link to the line behind it. */
export function lineAnchor(actionId: string, line: number): string {
  return `${actionAnchor(actionId)}-L${line}`;
}
