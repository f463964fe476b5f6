"""Idempotency keys: a repeated POST with the same key returns the first result and creates nothing new."""

from __future__ import annotations

import secrets

from airlock_sdk import ActionRequest, AirlockClient

from live import LiveTestCase, agent_id


class IdempotencyTest(LiveTestCase):
    def test_the_same_key_twice_gives_the_same_run_and_the_same_single_action(self) -> None:
        agent = AirlockClient(self.env.url, self.env.agent_token)
        name = agent_id("idempotent")
        run_key = f"run-{secrets.token_hex(8)}"
        first = agent.start_run(name, idempotency_key=run_key)
        again = agent.start_run(name, idempotency_key=run_key)
        self.assertEqual(again.run_id, first.run_id, "a repeated start with the same key is the same run")

        action_key = f"action-{secrets.token_hex(8)}"
        submitted = agent.submit_action(first.run_id, ActionRequest(code="print('once')"), idempotency_key=action_key)
        repeated = agent.submit_action(first.run_id, ActionRequest(code="print('once')"), idempotency_key=action_key)
        self.assertEqual(repeated.action_id, submitted.action_id, "a repeated submit with the same key is the same action")
        done = agent.wait_for_result(first.run_id, submitted.action_id, timeout=120)
        self.assertEqual(done.stdout, "once\n")
        run = agent.get_run(first.run_id)
        self.assertEqual([a.action_id for a in run.actions], [submitted.action_id], "exactly one action in the run")

        other = agent.submit_action(first.run_id, ActionRequest(code="print('twice')"), idempotency_key=f"action-{secrets.token_hex(8)}")
        self.assertNotEqual(other.action_id, submitted.action_id, "a different key is a different action")

    def test_one_shot_run_code_with_a_key_runs_once(self) -> None:
        agent = AirlockClient(self.env.url, self.env.agent_token)
        name = agent_id("idempotent-once")
        key = f"once-{secrets.token_hex(8)}"
        first = agent.run_code("print(6 * 7)", agent=name, idempotency_key=key, timeout=120)
        second = agent.run_code("print(6 * 7)", agent=name, idempotency_key=key, timeout=120)
        self.assertEqual((first.stdout, second.stdout), ("42\n", "42\n"))
        # The second call found the first run: the very same action, submitted once.
        self.assertEqual(second.submitted_at, first.submitted_at)
