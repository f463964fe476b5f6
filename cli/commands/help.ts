import { EXIT } from '../exit-codes.js';
import type { CommandContext } from '../context.js';

/** The text `airlock help` prints. */
export const HELP_TEXT = `airlock: run AI-written code with risk scoring, approvals and a locked-down sandbox

usage:
  airlock up                         start the embedded stack (Temporal dev server, workers, API) until Ctrl-C
  airlock run <file|-> [options]     run code (a file, or - for stdin) as a one-shot run
      --lang python|node|bash          language (default: from the extension .py .js .mjs .cjs .sh .bash)
      --agent ID                       agent the run belongs to (default: cli)
      --as USER                        requester; may not approve their own code (default: your user name)
      --task TEXT                      what the code is for, shown to approvers
      --timeout SEC                    wall-clock limit of the code
      --memory MB                      memory limit of the code
      --approval-timeout DUR           how long to wait for a human (e.g. 90s, 15m, 2h; default 15m)
      --idempotency-key KEY            a retry with the same key returns the first run instead of starting another
      --callback-url URL               POST the run's events there, signed (the policy must list the host)
      --allow-host HOST:PORT           let the code reach this destination through the egress proxy
                                       (repeatable; *.DOMAIN:PORT and IP:PORT too; default: no network)
      --credential NAME                the egress proxy adds secret NAME to requests for the destinations
                                       the policy binds it to (repeatable; the code never sees the value)
      --isolation standard|strong      strong adds gVisor (runsc) between the code and the host kernel
                                       (default: standard; high risk always runs strong)
      --file LOCAL=REMOTE              copy a local text file to /workspace/REMOTE before the code starts
                                       (repeatable; REMOTE is relative to /workspace; 1 MiB in all)
      --output GLOB                    collect files matching GLOB under /workspace after exit (repeatable;
                                       * and ? within a path part, ** for any depth; fetch with airlock artifact)
      --wait                           wait for the outcome and print it
      --json                           print one JSON object
  airlock login                      read an API token from stdin, check it with the API and store it
  airlock approve <runId> [--action ID] [--reason TEXT] [--sha256 CONTENT]
  airlock deny <runId> [--action ID] [--reason TEXT] [--sha256 CONTENT]
                                     decide an action awaiting approval (default: the only one) through
                                     the API, as your token's principal; --sha256: only if the action
                                     still has the content you reviewed (airlock status shows it)
  airlock status <runId> [--json]    where the run and its actions stand
  airlock list [--pending] [--json]  recent runs; --pending: only runs awaiting approval
  airlock audit <runId> [--json]     every action's decision chain from the workflow history
  airlock audit <runId> --verify [--json]
                                     re-check every human decision's signature from history alone
                                     (exit 4 if a counted decision does not verify)
  airlock audit --since DUR [--jsonl]
                                     every decision of every run in the last DUR (e.g. 24h), one per line
  airlock artifact <sha256> [--out FILE]
                                     print a stored output (or write it to FILE; binary needs --out),
                                     read from the configured store (local folder or S3)
  airlock artifact prune --older-than-days N [--dry-run] [--json]
                                     delete artifacts of runs older than N days and list them
  airlock token create --as PRINCIPAL [--role ROLE]... [--expires DUR] [--json]
                                     a bearer token for the HTTP API and web UI, printed once (only its
                                     hash is kept); roles agent (default), viewer, approver, admin
  airlock token revoke <tokenId>     the token stops working at once (API and web UI)
  airlock token list [--json]        tokens with their roles, expiry and status
  airlock secret set <name>          store a secret for the egress proxy, value read from stdin, encrypted
                                     at rest under AIRLOCK_HOME (key: AIRLOCK_SECRETS_KEY or secrets/secrets.key)
  airlock secret list [--json]       the names of stored secrets (file and AIRLOCK_SECRET_* env), never values
  airlock secret rm <name>           remove a stored secret
  airlock policy check <file> [--json] [--strict]
                                     validate a policy file (errors with line numbers) and warn about rules
                                     that can never take effect (--strict: warnings exit 1)
  airlock policy test <file> --cases DIR [--json]
                                     score every case in DIR (each states "expect: LEVEL" in a comment header)
                                     under the policy; prints a table, exits 1 on a mismatch
  airlock policy replay <file> [--since DUR] [--agent ID] [--json]
                                     re-score every action recorded in Temporal under the candidate policy and
                                     list the gate outcomes that would change (nothing is executed)
  airlock mcp [--url URL] [--agent ID]
                                     an MCP server on stdio (tools run_code, get_run, list_runs, get_artifact)
                                     over the HTTP API at AIRLOCK_URL with the token in AIRLOCK_TOKEN
  airlock help                       this text

environment: TEMPORAL_ADDRESS (default 127.0.0.1:7233), TEMPORAL_NAMESPACE, AIRLOCK_TASK_QUEUE, AIRLOCK_HOME,
TEMPORAL_TLS_CERT, TEMPORAL_TLS_KEY, TEMPORAL_TLS_CA, TEMPORAL_TLS_SERVER_NAME (TLS to Temporal),
AIRLOCK_API_URL (default http://127.0.0.1:8080), AIRLOCK_TOKEN (else the one airlock login stored)

exit codes: 0 success, 1 an action's code failed, 2 usage or input error, 3 an action was denied or its
approval timed out, 4 Airlock could not do it (Temporal unreachable, unknown run, decision refused)
`;

/** `airlock help`. */
export async function helpCommand(context: CommandContext): Promise<number> {
  context.io.out(HELP_TEXT);
  return EXIT.ok;
}
