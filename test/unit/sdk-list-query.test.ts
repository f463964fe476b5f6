import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TypedSearchAttributes } from '@temporalio/common';
import type { WorkflowExecutionInfo } from '@temporalio/client';
import { buildListQuery, summarizeExecution } from '../../client/list-query.js';
import { InputError } from '../../client/errors.js';
import { AGENT_ATTRIBUTE, AWAITING_APPROVAL_ATTRIBUTE, RISK_ATTRIBUTE, STATUS_ATTRIBUTE } from '../../workflows/search-attributes.js';

void test('list query filters on the Airlock search attributes', () => {
  assert.equal(buildListQuery({}), "WorkflowType = 'agentRun' AND ExecutionStatus != 'ContinuedAsNew'");
  assert.equal(
    buildListQuery({ status: 'awaiting_approval', agent: 'bot-1', pendingOnly: true }),
    "WorkflowType = 'agentRun' AND ExecutionStatus != 'ContinuedAsNew' AND AirlockStatus = 'awaiting_approval' AND AirlockAgent = 'bot-1' AND AirlockAwaitingApproval = true",
  );
});

void test('values that could change the query are refused', () => {
  assert.throws(() => buildListQuery({ agent: "x' OR 1=1 OR 'a" }), InputError);
  assert.throws(() => buildListQuery({ status: 'done' as never }), InputError);
});

void test('summaries come from the typed search attributes', () => {
  const info = {
    workflowId: 'run-abc',
    status: { name: 'RUNNING' },
    startTime: new Date('2025-01-01T00:00:00Z'),
    closeTime: undefined,
    typedSearchAttributes: new TypedSearchAttributes([
      { key: AGENT_ATTRIBUTE, value: 'cli' },
      { key: STATUS_ATTRIBUTE, value: 'awaiting_approval' },
      { key: RISK_ATTRIBUTE, value: 'medium' },
      { key: AWAITING_APPROVAL_ATTRIBUTE, value: true },
    ]),
  } as unknown as WorkflowExecutionInfo;
  assert.deepEqual(summarizeExecution(info), {
    runId: 'run-abc',
    agent: 'cli',
    status: 'awaiting_approval',
    highestRisk: 'medium',
    awaitingApproval: true,
    workflowStatus: 'RUNNING',
    startedAt: '2025-01-01T00:00:00.000Z',
    closedAt: undefined,
  });
});
