/** Just enough cookie handling for one session cookie (no dependency for a header this small). */

/** Cookie name → value from a Cookie request header; malformed pairs are skipped. */
export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  if (!header) return cookies;
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const name = pair.slice(0, eq).trim();
    const raw = pair.slice(eq + 1).trim();
    try {
      if (!cookies.has(name)) cookies.set(name, decodeURIComponent(raw));
    } catch {
      // A value that is not valid percent-encoding is not one of ours.
    }
  }
  return cookies;
}

export interface CookieOptions {
  maxAgeSec: number;
  /** Sent over HTTPS only; set when the server is reached over TLS. */
  secure: boolean;
}

/**
 * A Set-Cookie value for the session: HttpOnly (scripts cannot read it), SameSite=Strict (other sites cannot make
 * the browser send it, the first line of CSRF defence), Path=/.
 */
export function sessionCookie(name: string, value: string, options: CookieOptions): string {
  const parts = [`${name}=${encodeURIComponent(value)}`, 'Path=/', 'HttpOnly', 'SameSite=Strict', `Max-Age=${options.maxAgeSec}`];
  if (options.secure) parts.push('Secure');
  return parts.join('; ');
}

/** A Set-Cookie value that removes the cookie. */
export function expiredCookie(name: string, secure: boolean): string {
  return sessionCookie(name, '', { maxAgeSec: 0, secure });
}
