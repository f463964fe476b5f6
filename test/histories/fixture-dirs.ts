import { fileURLToPath } from 'node:url';

/** The source tree's fixture folders (code using them runs from dist/test/...). */
export const HISTORY_FIXTURES_DIR = fileURLToPath(new URL('../../../test/histories/', import.meta.url));
export const AUDIT_FIXTURES_DIR = fileURLToPath(new URL('../../../test/histories/audit/', import.meta.url));
