import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((name) => `node:${name}`)];

/**
 * The layers, and the top-level folders each may import (besides its own). Arrows point one way: schemas → policy
 * → workflows ← activities → sandbox / channels / platform; the SDK (client/) sits on workflows' messages; server/
 * and cli/ on top; workers/ (entry points and the dev stack) above everything. Nothing imports cli/ or workers/
 * (the CLI's `up` loads the dev stack with a dynamic import, so the SDK and the server never pull it in).
 */
const LAYERS = {
  schemas: [],
  policy: ['schemas'],
  platform: ['schemas'],
  workflows: ['schemas', 'policy'],
  sandbox: ['schemas', 'policy', 'platform'],
  channels: ['schemas', 'platform'],
  activities: ['schemas', 'policy', 'sandbox', 'channels', 'platform'],
  client: ['schemas', 'policy', 'workflows', 'platform'],
  server: ['schemas', 'policy', 'workflows', 'channels', 'platform', 'client'],
  cli: ['schemas', 'policy', 'workflows', 'sandbox', 'channels', 'platform', 'client', 'server'],
  workers: ['schemas', 'policy', 'workflows', 'activities', 'sandbox', 'channels', 'platform', 'client', 'server'],
};
const FOLDERS = Object.keys(LAYERS);
/** Deepest folder nesting below a layer's top folder that the rules below cover. */
const MAX_DEPTH = 5;

function escape(text) {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Per layer and file depth: relative imports that climb out of the layer into a folder it may not use. */
function layerRules(extraByLayer) {
  return FOLDERS.flatMap((layer) => {
    const forbidden = FOLDERS.filter((folder) => folder !== layer && !LAYERS[layer].includes(folder));
    return Array.from({ length: MAX_DEPTH }, (_, depth) => ({
      files: [`${layer}/${'*/'.repeat(depth)}*.ts`],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            ...(extraByLayer[layer]?.paths ? { paths: extraByLayer[layer].paths } : {}),
            patterns: [
              ...(extraByLayer[layer]?.patterns ?? []),
              ...(forbidden.length === 0
                ? []
                : [
                    {
                      regex: `^${escape('../'.repeat(depth + 1))}(${forbidden.join('|')})/`,
                      message: `${layer}/ may import only ${[layer, ...LAYERS[layer]].join(', ')} (see the layers in eslint.config.js)`,
                      // Workflows name their activities' types; types leave no import at run time.
                      ...(layer === 'workflows' ? { allowTypeImports: true } : {}),
                    },
                  ]),
            ],
          },
        ],
      },
    }));
  });
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.airlock/**', 'scripts/**', 'eslint.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        // node:test tracks describe/it itself; awaiting them is not how the runner is used.
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite'] }] },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  ...layerRules({
    // Workflow code is replayed: it must be deterministic and may not touch the outside world.
    workflows: {
      paths: nodeBuiltins.map((name) => ({ name, message: 'workflows/ must stay deterministic: no Node built-ins' })),
      patterns: [{ group: ['dockerode', 'pino', 'pino/*'], message: 'workflows/ does no I/O: call an activity instead' }],
    },
    // Schemas are pure: shared by every layer, the workflow included.
    schemas: { paths: nodeBuiltins.map((name) => ({ name, message: 'schemas/ is pure: zod only' })) },
  }),
  {
    files: ['workflows/**/*.ts'],
    rules: { 'no-restricted-globals': ['error', 'setTimeout', 'setInterval', 'process', 'Buffer'] },
  },
);
