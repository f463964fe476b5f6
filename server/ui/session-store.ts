/**
 * Web UI sessions. Signing in exchanges an API token (checked against the token store) for a random session id
 * kept in an HttpOnly cookie; the token itself never reaches the browser's storage or the page. Sessions live in
 * memory: a server restart signs everyone out, which is acceptable for an approval console.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';

/** How long a session lasts without activity being required: a working day. */
export const SESSION_TTL_MS = 12 * 3_600_000;
/** Bound on concurrent sessions so a flood of sign-ins cannot grow memory without limit. */
export const MAX_SESSIONS = 10_000;

export interface Session {
  readonly id: string;
  /** Who decisions are made as: the token's principal. */
  readonly principal: string;
  /** Id of the token record used to sign in (for logs; never the token). */
  readonly tokenId: string;
  /** Per-session secret every state-changing request must echo (hidden field or header). */
  readonly csrfToken: string;
  readonly expiresAtMs: number;
}

export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly ttlMs = SESSION_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  create(principal: string, tokenId: string): Session {
    this.prune();
    if (this.sessions.size >= MAX_SESSIONS) {
      // Drop the oldest: Map iterates in insertion order.
      const oldest = this.sessions.keys().next().value;
      if (oldest !== undefined) this.sessions.delete(oldest);
    }
    const session: Session = {
      id: randomBytes(32).toString('base64url'),
      principal,
      tokenId,
      csrfToken: randomBytes(32).toString('base64url'),
      expiresAtMs: this.now() + this.ttlMs,
    };
    this.sessions.set(session.id, session);
    return session;
  }

  /** The live session with this id, or undefined (unknown or expired). */
  get(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const session = this.sessions.get(id);
    if (!session) return undefined;
    if (session.expiresAtMs <= this.now()) {
      this.sessions.delete(id);
      return undefined;
    }
    return session;
  }

  delete(id: string): void {
    this.sessions.delete(id);
  }

  private prune(): void {
    const now = this.now();
    for (const [id, session] of this.sessions) if (session.expiresAtMs <= now) this.sessions.delete(id);
  }
}

/** Constant-time comparison of a presented CSRF token with the session's. */
export function csrfTokenMatches(session: Session, presented: string | undefined): boolean {
  if (typeof presented !== 'string') return false;
  const expected = Buffer.from(session.csrfToken);
  const actual = Buffer.from(presented);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
