/**
 * The UI's static files (script, styles, icon) live as plain files in server/ui/assets and are read once at
 * start-up: no bundler, no build step, and a content hash in their URL so browsers never mix versions.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface UiAsset {
  body: string;
  contentType: string;
}

const FILES: Record<string, string> = {
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
  'favicon.svg': 'image/svg+xml',
};

/** Compiled code runs from dist/server/ui; the files stay in the source tree (server/ui/assets). */
function assetDirectory(): string {
  const candidates = [new URL('./assets/', import.meta.url), new URL('../../../server/ui/assets/', import.meta.url)];
  for (const candidate of candidates) {
    const dir = fileURLToPath(candidate);
    if (existsSync(`${dir}app.js`)) return dir;
  }
  throw new Error(`the web UI's assets were not found (looked in ${candidates.map((c) => fileURLToPath(c)).join(', ')})`);
}

/** Loads every asset; `version` changes whenever any of them does. */
export function loadUiAssets(): { assets: Map<string, UiAsset>; version: string } {
  const dir = assetDirectory();
  const hash = createHash('sha256');
  const assets = new Map<string, UiAsset>();
  for (const [name, contentType] of Object.entries(FILES)) {
    const body = readFileSync(`${dir}${name}`, 'utf8');
    hash.update(name).update(body);
    assets.set(name, { body, contentType });
  }
  return { assets, version: hash.digest('hex').slice(0, 12) };
}
