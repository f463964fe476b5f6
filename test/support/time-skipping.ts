import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes.js';
import { AIRLOCK_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes.js';

/**
 * The time-skipping test server binary: AIRLOCK_TEST_SERVER_PATH (set by the test stack), else the one pip
 * installed next to python's scripts. The SDK's own download is not used: test machines may have no internet.
 */
export function timeSkippingServerPath(): string {
  const fromEnv = process.env.AIRLOCK_TEST_SERVER_PATH;
  if (fromEnv) return fromEnv;
  const scripts = execFileSync('python3', ['-c', 'import sysconfig; print(sysconfig.get_path("scripts"))'], { encoding: 'utf8' }).trim();
  const candidate = path.join(scripts, 'temporal-test-server');
  if (!existsSync(candidate)) {
    throw new Error('temporal-test-server not found: run the tests with `npm test`, which installs it');
  }
  return candidate;
}

/** A time-skipping environment with Airlock's search attributes registered, as the real stack has them. */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: timeSkippingServerPath() } },
  });
  // The test server can add attributes but not list them, so add all of them once on the fresh server.
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(
      AIRLOCK_SEARCH_ATTRIBUTES.map((key) => [key.name, encodeSearchAttributeIndexedValueType(key.type)!]),
    ),
  });
  return env;
}
