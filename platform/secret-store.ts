/**
 * Where the sandbox worker reads the values of secrets the egress proxy adds to requests. One interface, so a
 * deployment can plug in its own store (a vault, a cloud secret manager); the embedded default layers the
 * environment (`AIRLOCK_SECRET_<NAME>`) over an encrypted local file (encrypted-secret-file.ts). Values leave a
 * store only through `get`, and only the sandbox worker calls it: they never enter a workflow, a log or an API.
 */
import { EncryptedSecretFile } from './encrypted-secret-file.js';

export interface SecretStore {
  /** The value, or undefined when this store does not hold the name. */
  get(name: string): Promise<string | undefined>;
  /** The names this store holds (never values), sorted. */
  list(): Promise<string[]>;
}

/** A store that can also be changed (the local file behind `airlock secret set|rm`). */
export interface WritableSecretStore extends SecretStore {
  set(name: string, value: string): Promise<void>;
  /** True when the name was there. */
  remove(name: string): Promise<boolean>;
}

const ENV_PREFIX = 'AIRLOCK_SECRET_';

/** The environment variable that holds a secret: `stripe-live` is AIRLOCK_SECRET_STRIPE_LIVE. */
export function secretEnvName(name: string): string {
  return `${ENV_PREFIX}${name.toUpperCase().replace(/-/g, '_')}`;
}

/** Secrets from environment variables `AIRLOCK_SECRET_<NAME>` (upper case, `-` as `_`). */
export class EnvSecretStore implements SecretStore {
  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  get(name: string): Promise<string | undefined> {
    const value = this.env[secretEnvName(name)];
    return Promise.resolve(value === undefined || value === '' ? undefined : value);
  }

  list(): Promise<string[]> {
    const names = Object.keys(this.env)
      .filter((key) => key.startsWith(ENV_PREFIX) && (this.env[key] ?? '') !== '')
      .map((key) => key.slice(ENV_PREFIX.length).toLowerCase().replace(/_/g, '-'));
    return Promise.resolve(names.sort());
  }
}

/** The first store that holds a name answers for it. */
export class LayeredSecretStore implements SecretStore {
  constructor(private readonly layers: readonly SecretStore[]) {}

  async get(name: string): Promise<string | undefined> {
    for (const layer of this.layers) {
      const value = await layer.get(name);
      if (value !== undefined) return value;
    }
    return undefined;
  }

  async list(): Promise<string[]> {
    const names = new Set<string>();
    for (const layer of this.layers) for (const name of await layer.list()) names.add(name);
    return [...names].sort();
  }
}

/** The embedded default: the environment first, then the encrypted file under `<home>/secrets/`. */
export function defaultSecretStore(home: string, env: NodeJS.ProcessEnv = process.env): SecretStore {
  return new LayeredSecretStore([new EnvSecretStore(env), EncryptedSecretFile.at(home, env)]);
}
