import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { RECIPE_LABEL, importChanges, recipeHash, renderDockerfile } from '../../sandbox/image/recipe.js';

// Tests run from dist/test/unit; the Dockerfile is not compiled, so it is read from the source tree.
const dockerfilePath = fileURLToPath(new URL('../../../sandbox/image/Dockerfile', import.meta.url));

void describe('sandbox image recipe', () => {
  void it('keeps the committed Dockerfile equal to the rendered one', async () => {
    const committed = (await readFile(dockerfilePath, 'utf8'))
      .split('\n')
      .filter((line) => !line.startsWith('#'))
      .join('\n');
    assert.equal(committed, renderDockerfile());
  });

  void it('gives the imported image the Dockerfile settings and the recipe label', () => {
    const changes = importChanges(recipeHash());
    assert.ok(changes.includes('WORKDIR /workspace'));
    assert.ok(changes.includes('USER 65534:65534'));
    assert.ok(changes.includes(`LABEL ${RECIPE_LABEL}=${recipeHash()}`));
    assert.match(recipeHash(), /^[0-9a-f]{64}$/);
  });
});
