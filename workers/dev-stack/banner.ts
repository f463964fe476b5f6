/** What the person who ran `npm run up` needs to know once everything is up. */
export function formatBanner(options: {
  temporalAddress: string;
  namespace: string;
  uiUrl: string | undefined;
  home: string;
  startedServer: boolean;
}): string {
  const lines = [
    '',
    'Airlock is running.',
    `  Temporal:   ${options.temporalAddress} (namespace ${options.namespace}${options.startedServer ? ', dev server started by Airlock' : ''})`,
  ];
  if (options.uiUrl) lines.push(`  Web UI:     ${options.uiUrl}`);
  const stop = options.startedServer ? 'Ctrl-C (workers stop first, then the Temporal server)' : 'Ctrl-C';
  lines.push(`  State:      ${options.home}`, `  Stop:       ${stop}`, '');
  return lines.join('\n');
}
