import { html, type SafeHtml } from '../html.js';

/** Where the UI's own files are served; versioned so a new deployment is never mixed with a cached script. */
export const ASSET_PREFIX = '/ui/assets';

export interface PageOptions {
  title: string;
  body: SafeHtml;
  /** Signed-in principal: shows the account bar. */
  principal?: string;
  /** The session's CSRF token, for the script's requests and the sign-out form. */
  csrfToken?: string;
  /** Which navigation entry is current. */
  current?: 'pending' | 'runs';
  assetVersion: string;
}

/** The page shell shared by every page: header, navigation, main landmark, the script and styles. */
export function renderPage(options: PageOptions): SafeHtml {
  const nav = options.principal
    ? html`<nav class="topnav" aria-label="Main">
        <a href="/" ${options.current === 'pending' ? html`aria-current="page"` : ''}>Pending approvals</a>
        <a href="/runs" ${options.current === 'runs' ? html`aria-current="page"` : ''}>Recent runs</a>
      </nav>
      <div class="account">
        <span class="account-name" title="Signed in as ${options.principal}">
          <span class="avatar" aria-hidden="true">${options.principal.slice(0, 1).toUpperCase()}</span>
          <span data-testid="principal">${options.principal}</span>
        </span>
        <form method="post" action="/sign-out">
          <input type="hidden" name="csrf" value="${options.csrfToken ?? ''}">
          <button type="submit" class="button ghost small">Sign out</button>
        </form>
      </div>`
    : '';
  return html`<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="color-scheme" content="light">
  ${options.csrfToken ? html`<meta name="csrf-token" content="${options.csrfToken}">` : ''}
  <title>${options.title} · Airlock</title>
  <link rel="icon" href="${ASSET_PREFIX}/favicon.svg?v=${options.assetVersion}" type="image/svg+xml">
  <link rel="stylesheet" href="${ASSET_PREFIX}/app.css?v=${options.assetVersion}">
  <script src="${ASSET_PREFIX}/app.js?v=${options.assetVersion}" defer></script>
</head>
<body>
  <a class="skip-link" href="#main">Skip to content</a>
  <header class="topbar">
    <a class="brand" href="/" aria-label="Airlock home">
      <img src="${ASSET_PREFIX}/favicon.svg?v=${options.assetVersion}" alt="" width="26" height="26">
      <span>Airlock</span>
    </a>
    ${nav}
  </header>
  <main id="main" tabindex="-1">
    ${options.body}
  </main>
</body>
</html>`;
}
