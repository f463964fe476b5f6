import type { CapturedOutput, ExecutionResult } from '../../../schemas/execution.js';
import { html, type SafeHtml } from '../html.js';
import { formatBytes, formatMs, formatTimestamp } from './format.js';

function renderOutput(name: string, output: CapturedOutput): SafeHtml {
  if (output.bytes === 0) return html`<div class="output-block empty"><h5>${name}</h5><p class="muted small">(empty)</p></div>`;
  const notes = [
    !output.inlineComplete ? `showing the first ${formatBytes(output.text.length)} of ${formatBytes(output.bytes)}` : undefined,
    output.truncated ? 'the program wrote more than the output limit; the rest was discarded' : undefined,
  ].filter(Boolean);
  return html`<div class="output-block">
    <h5>${name} <span class="muted small">${formatBytes(output.bytes)}</span></h5>
    <pre class="output" tabindex="0" data-testid="${name}">${output.text}</pre>
    ${notes.length ? html`<p class="muted small">${notes.join('; ')}.</p>` : ''}
  </div>`;
}

/** Limits the process ran into, in words; empty when it ended on its own. */
function limitsHit(result: ExecutionResult): string[] {
  const hit: string[] = [];
  if (result.timedOut) hit.push(`wall-clock timeout (${result.sandbox.limits.timeoutSec} s)`);
  if (result.oomKilled) hit.push(`memory limit (${result.sandbox.limits.memoryMb} MB)`);
  if (result.stdout.truncated || result.stderr.truncated) hit.push(`output limit (${formatBytes(result.sandbox.limits.outputBytes)})`);
  return hit;
}

/** What happened in the sandbox: exit, limits hit, resources, output and the egress record. */
export function renderResult(result: ExecutionResult): SafeHtml {
  const hit = limitsHit(result);
  const limits = result.sandbox.limits;
  const exitText = result.exitCode === null ? 'no exit status' : `exit ${result.exitCode}`;
  return html`<div class="result" data-testid="result">
    <div class="result-facts">
      <span class="badge ${result.exitCode === 0 && hit.length === 0 ? 'status-good' : 'status-bad'}" data-testid="exit">${exitText}</span>
      <span>ran ${formatMs(result.durationMs)}</span>
      <span>${result.sandbox.runtime}${result.sandbox.isolation ? ` · ${result.sandbox.isolation} isolation` : ''}</span>
      ${hit.length ? html`<span class="limit-hit" data-testid="limits-hit">Limit hit: ${hit.join(', ')}</span>` : ''}
    </div>
    ${result.sandbox.isolationFallback ? html`<p class="notice warn">${result.sandbox.isolationFallback}</p>` : ''}
    ${renderOutput('stdout', result.stdout)}
    ${renderOutput('stderr', result.stderr)}
    <details class="sandbox-details">
      <summary>Sandbox and limits</summary>
      <dl class="facts">
        <div><dt>Limits</dt><dd>${limits.timeoutSec} s · ${limits.memoryMb} MB · ${limits.cpus} CPU · ${limits.pids} processes · ${formatBytes(limits.outputBytes)} output</dd></div>
        <div><dt>Output</dt><dd>stdout ${formatBytes(result.stdout.bytes)}, stderr ${formatBytes(result.stderr.bytes)}</dd></div>
        <div><dt>Container</dt><dd class="mono">${result.sandbox.containerName} (${result.sandbox.containerId.slice(0, 12)})</dd></div>
        <div><dt>Image</dt><dd class="mono">${result.sandbox.image} · ${result.sandbox.imageId.slice(0, 19)}</dd></div>
        <div><dt>stdout sha256</dt><dd class="mono">${result.stdout.sha256}</dd></div>
      </dl>
    </details>
    ${result.egress ? renderEgress(result) : ''}
  </div>`;
}

function renderEgress(result: ExecutionResult): SafeHtml {
  const attempts = result.egress ?? [];
  const omitted = result.egressOmitted ? html`<p class="muted small">${result.egressOmitted} further attempts were counted but not recorded.</p>` : '';
  const masked = (result.maskedSecrets ?? []).length
    ? html`<p class="small" data-testid="masked-secrets">Secret values found in the output and masked: ${(result.maskedSecrets ?? []).map(
        (m, i) => html`${i > 0 ? '; ' : ''}<span class="mono">${m.name}</span> ×${m.occurrences} in <span class="mono">${m.where}</span>`,
      )}</p>`
    : '';
  if (attempts.length === 0) return html`<h5>Network</h5><p class="muted small">The code made no network attempts.</p>${omitted}${masked}`;
  return html`<h5>Network attempts</h5>
    <div class="table-wrap"><table class="egress" data-testid="egress">
      <thead><tr><th scope="col">Time</th><th scope="col">Destination</th><th scope="col">Verdict</th><th scope="col">Bytes out / in</th><th scope="col">Note</th></tr></thead>
      <tbody>${attempts.map(
        (a) => html`<tr>
          <td><time datetime="${a.at}">${formatTimestamp(a.at).slice(11)}</time></td>
          <td class="mono">${a.method} ${a.host}:${a.port}</td>
          <td><span class="badge ${a.verdict === 'allowed' ? 'status-good' : 'status-bad'}">${a.verdict}</span></td>
          <td>${formatBytes(a.bytesSent)} / ${formatBytes(a.bytesReceived)}</td>
          <td>${a.reason ?? (a.status ? `HTTP ${a.status}` : '')}${a.credential ? ` · secret ${a.credential} added` : ''}</td>
        </tr>`,
      )}</tbody>
    </table></div>${omitted}${masked}`;
}
