/** One problem in a policy file, located for the person fixing it. */
export interface PolicyFileIssue {
  /** 1-based line, when the problem can be placed. */
  line?: number;
  column?: number;
  /** Dotted path of the field (`levels.high.quorum`), empty for the document itself. */
  field: string;
  message: string;
}

/** The policy file is missing, unreadable, not YAML, or does not pass the schema. */
export class PolicyFileError extends Error {
  override readonly name = 'PolicyFileError';
  constructor(
    readonly source: string,
    readonly issues: readonly PolicyFileIssue[],
    options?: { cause?: unknown },
  ) {
    super(`invalid policy ${source}:\n${issues.map((issue) => `  ${formatIssue(source, issue)}`).join('\n')}`, options);
  }
}

function formatIssue(source: string, issue: PolicyFileIssue): string {
  const where = issue.line === undefined ? source : `${source}:${issue.line}:${issue.column ?? 1}`;
  return `${where}: ${issue.field ? `${issue.field}: ` : ''}${issue.message}`;
}
