import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((name) => `node:${name}`)];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.airlock/**', 'scripts/**', 'eslint.config.js', 'test/risk-corpus/**'] },
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
  {
    // Workflow code is replayed: it must be deterministic and may not touch the outside world.
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'workflows/ must stay deterministic: no Node built-ins' })),
          patterns: [
            { group: ['dockerode', 'pino', 'pino/*'], message: 'workflows/ does no I/O: call an activity instead' },
            { group: ['../activities/*', '../sandbox/*', '../server/*', '../workers/*', '../client/*'], message: 'workflows/ may import only schemas/, policy/ and activity types', allowTypeImports: true },
          ],
        },
      ],
      'no-restricted-globals': ['error', 'setTimeout', 'setInterval', 'process', 'Buffer'],
    },
  },
);
