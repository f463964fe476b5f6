/**
 * The admin half of the token store over HTTP (`POST /v1/tokens`, `GET /v1/tokens`, `DELETE /v1/tokens/{id}`):
 * the same checks as `airlock token`, with the acting admin's principal and token id in the audit line.
 */
import type { z } from 'zod';
import type { ApiRole } from '../platform/api-roles.js';
import { DEFAULT_TOKEN_TTL_MS, tokenStatus, type StoredToken, type TokenStore } from '../platform/token-store.js';
import { ApiError } from './api-error.js';
import type { CreateTokenRequest, TokenInfoSchema } from './api-schemas.js';

type TokenInfo = z.infer<typeof TokenInfoSchema>;

/** Who is acting: the admin token's principal and id. */
export interface TokenAdmin {
  principal: string;
  tokenId: string;
}

/** A record as the API shows it: no hash, and its status now. */
export function tokenInfo(record: StoredToken, now = Date.now()): TokenInfo {
  const status = tokenStatus(record, now);
  return {
    id: record.id,
    principal: record.principal,
    roles: record.roles,
    createdAt: record.createdAt,
    ...(record.expiresAt ? { expiresAt: record.expiresAt } : {}),
    ...(record.revokedAt ? { revokedAt: record.revokedAt } : {}),
    ...(record.createdBy ? { createdBy: record.createdBy } : {}),
    status: status.ok ? 'active' : status.refusal,
  };
}

/**
 * Creates a token for `request.principal`. With a principals list in the policy, a principal outside it is refused
 * (such a token could never decide, and a typo would otherwise go unnoticed).
 */
export function createTokenAsAdmin(
  store: TokenStore,
  admin: TokenAdmin,
  request: CreateTokenRequest,
  policyPrincipals: readonly string[] | undefined,
): TokenInfo & { token: string } {
  if (policyPrincipals && !policyPrincipals.includes(request.principal)) {
    throw new ApiError('invalid_request', `${request.principal} is not a principal of the policy; add them there first`, 'unknown_principal');
  }
  const roles: ApiRole[] = request.roles ?? ['agent'];
  const created = store.create(request.principal, {
    roles,
    ttlMs: request.expiresIn ?? DEFAULT_TOKEN_TTL_MS,
    createdBy: `api:${admin.principal}`,
    via: { channel: 'api', actorTokenId: admin.tokenId },
  });
  return { ...tokenInfo(created.record), token: created.token };
}

/** Revokes a token by id; an admin revoking its own token is allowed (its next request gets 401). */
export function revokeTokenAsAdmin(store: TokenStore, admin: TokenAdmin, tokenId: string): TokenInfo {
  const record = store.revoke(tokenId, { revokedBy: `api:${admin.principal}`, via: { channel: 'api', actorTokenId: admin.tokenId } });
  if (!record) throw new ApiError('not_found', `no token with id ${tokenId}`);
  return tokenInfo(record);
}
