import { html, type SafeHtml } from '../html.js';

/** The sign-in form: an API token is exchanged for a session cookie. */
export function renderSignInPage(options: { error?: string; next?: string }): SafeHtml {
  return html`<div class="sign-in">
    <div class="card sign-in-card">
      <h1>Sign in to Airlock</h1>
      <p class="lead">Review and decide on code your agents want to run.</p>
      ${options.error ? html`<p class="notice error" role="alert" data-testid="sign-in-error">${options.error}</p>` : ''}
      <form method="post" action="/sign-in" class="stack">
        <input type="hidden" name="next" value="${options.next ?? '/'}">
        <label for="token">API token</label>
        <input id="token" name="token" type="password" autocomplete="off" spellcheck="false" required
          placeholder="alk_…" aria-describedby="token-help">
        <p id="token-help" class="muted small">Create one with <code>airlock token create --as YOUR_NAME</code>.
          The token stays on the server; your browser keeps only a session cookie.</p>
        <button type="submit" class="button primary wide">Sign in</button>
      </form>
    </div>
  </div>`;
}

/** A page for an expected problem (unknown run, Temporal down), with a way back. */
export function renderProblemPage(title: string, message: string): SafeHtml {
  return html`<div class="card problem" data-testid="problem">
    <h1>${title}</h1>
    <p>${message}</p>
    <p><a class="button" href="/">Back to pending approvals</a></p>
  </div>`;
}
