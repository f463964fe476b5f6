/**
 * How the egress proxy applies a credential to one request: the code's own copy of the credential's header (or
 * query parameter) is removed, then the real value is added. The value comes from the sandbox worker's secret
 * store and exists only in this process; nothing here logs or records it.
 */
import type http from 'node:http';
import type { CredentialApply } from '../../schemas/credentials.js';
import type { AllowEntry } from '../../schemas/network.js';
import { findAllowEntry, type Destination } from './allowlist.js';

/** A secret ready to be added: where it may go (parsed allowlist entries), how, and its value. */
export interface InjectedCredential {
  name: string;
  destinations: readonly AllowEntry[];
  apply: CredentialApply;
  value: string;
}

/** The credential bound to this destination, if any (decided on the name, like the allowlist). */
export function credentialFor(credentials: readonly InjectedCredential[], destination: Destination): InjectedCredential | undefined {
  return credentials.find((credential) => findAllowEntry(credential.destinations, destination));
}

/** The header the credential travels in (lower case), or undefined for a query parameter. */
function headerOf(apply: CredentialApply): string | undefined {
  if (apply.as === 'bearer') return 'authorization';
  if (apply.as === 'header') return apply.header;
  return undefined;
}

/**
 * Puts the credential on an outgoing request: `headers` is changed in place, the path (with the query) is
 * returned, changed for a query-parameter binding. Whatever the code sent under the same header or parameter
 * is dropped first, so the destination sees exactly one value: the real one.
 */
export function applyCredential(credential: InjectedCredential, headers: http.OutgoingHttpHeaders, path: string): string {
  const header = headerOf(credential.apply);
  if (header !== undefined) {
    for (const name of Object.keys(headers)) if (name.toLowerCase() === header) delete headers[name];
    headers[header] =
      credential.apply.as === 'bearer' ? `Bearer ${credential.value}` : `${credential.apply.as === 'header' ? (credential.apply.prefix ?? '') : ''}${credential.value}`;
    return path;
  }
  const param = (credential.apply as Extract<CredentialApply, { as: 'query' }>).param;
  const url = new URL(path, 'http://placeholder.invalid');
  url.searchParams.delete(param);
  url.searchParams.append(param, credential.value);
  return `${url.pathname}${url.search}`;
}
