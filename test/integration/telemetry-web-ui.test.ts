/**
 * What the Temporal Web UI shows about a run: the static summary and details set at start (agent, task,
 * requester), a labelled approval timer, and activity names that say what they do.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AirlockClient } from '../../client/sdk.js';
import { startTestWorkers, type TestWorkers } from '../support/temporal.js';

interface RawEvent {
  userMetadata?: { summary?: { data?: Uint8Array | null } | null } | null;
  timerStartedEventAttributes?: object | null;
  activityTaskScheduledEventAttributes?: { activityType?: { name?: string | null } | null } | null;
  markerRecordedEventAttributes?: {
    markerName?: string | null;
    details?: Record<string, { payloads?: { data?: Uint8Array | null }[] | null }> | null;
  } | null;
}

/**
 * The activity a history event runs: a scheduled activity by its type, a local activity (policy and risk, from the
 * local-control-activities patch on) by the type the SDK core writes into its marker. Undefined for anything else.
 */
function activityNameOf(event: RawEvent): string | undefined {
  const scheduled = event.activityTaskScheduledEventAttributes?.activityType?.name;
  if (scheduled) return scheduled;
  const marker = event.markerRecordedEventAttributes;
  if (marker?.markerName !== 'core_local_activity') return undefined;
  const data = marker.details?.data?.payloads?.[0]?.data;
  return data ? (JSON.parse(Buffer.from(data).toString('utf8')) as { activity_type?: string }).activity_type : undefined;
}

function summaryOf(event: RawEvent): string | undefined {
  const data = event.userMetadata?.summary?.data;
  return data ? (JSON.parse(Buffer.from(data).toString('utf8')) as string) : undefined;
}

describe('Temporal Web UI readability', () => {
  let stack: TestWorkers;
  let sdk: AirlockClient;

  before(async () => {
    stack = await startTestWorkers();
    sdk = await AirlockClient.connect(stack.config);
  });
  after(async () => {
    await sdk?.disconnect();
    await stack?.stop();
  });

  it('starts runs with a summary and details naming agent, task and requester, and labels timers and activities', async () => {
    const { runId } = await sdk.startRun({
      agent: 'report-bot',
      requester: 'alice',
      closeWhenDone: true,
      approvalTimeoutMs: 1_000,
      actions: [{ language: 'python', task: 'count the *quarterly* rows', code: 'import subprocess\nprint(1)' }],
    });
    const { runId: autoRunId } = await sdk.startRun({
      agent: 'report-bot',
      requester: 'alice',
      closeWhenDone: true,
      actions: [{ language: 'python', code: 'print(1)' }],
    });
    const handle = stack.client.workflow.getHandle(runId);
    const description = await handle.describe();
    assert.equal(await description.staticSummary(), 'report-bot for alice: count the *quarterly* rows');
    const details = (await description.staticDetails()) ?? '';
    assert.match(details, /\*\*Agent:\*\* report-bot/);
    assert.match(details, /\*\*Requester:\*\* alice/);
    assert.match(details, /1\. python — count the \\\*quarterly\\\* rows/, 'user text is escaped, not rendered as markdown');
    assert.ok(!details.includes('subprocess'), 'code stays out of the metadata');

    await handle.result();
    const events = ((await handle.fetchHistory()).events ?? []) as RawEvent[];
    const timer = events.find((event) => event.timerStartedEventAttributes);
    assert.match(summaryOf(timer ?? {}) ?? '', /^approval of a1 \(medium risk/);
    // Policy and risk run as local activities: the Web UI shows their markers with the same labels.
    const activities = events
      .filter((event) => activityNameOf(event) !== undefined)
      .map((event) => [activityNameOf(event), summaryOf(event)]);
    assert.deepEqual(activities.slice(0, 2), [
      ['loadPolicy', 'load and pin the approval policy'],
      ['assessRiskWithInput', 'assess the risk of a1'],
    ]);

    const autoHandle = stack.client.workflow.getHandle(autoRunId);
    assert.equal(await (await autoHandle.describe()).staticSummary(), 'report-bot for alice: 1 python action');
    await autoHandle.result();
    const autoEvents = ((await autoHandle.fetchHistory()).events ?? []) as RawEvent[];
    const sandbox = autoEvents.find((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'executeCode');
    assert.match(summaryOf(sandbox ?? {}) ?? '', /^run a1 \(python, \w+ isolation, 30s limit\)$/);
  });
});
