"""AsyncAirlockClient against the live stack: concurrent runs on one event loop, an approval, typed errors."""

from __future__ import annotations

import asyncio
import unittest

from airlock_sdk import AsyncAirlockClient, AuthError, ValidationError
from airlock_sdk.models import Action, ActionRequest

from live import RISKY, LiveEnv, agent_id


class AsyncClientTest(unittest.IsolatedAsyncioTestCase):
    env: LiveEnv

    @classmethod
    def setUpClass(cls) -> None:
        cls.env = LiveEnv()

    def setUp(self) -> None:
        self.agent = AsyncAirlockClient(self.env.url, self.env.agent_token)
        self.approver = AsyncAirlockClient(self.env.url, self.env.approver_token)

    async def test_runs_several_actions_at_once_on_one_loop(self) -> None:
        codes = [f"print({n} * {n})" for n in (3, 4, 5)]
        started = await asyncio.gather(*(self.agent.start_run(agent_id("async"), [ActionRequest(code=code)], close_when_done=True) for code in codes))
        actions = await asyncio.gather(*(self.agent.wait_for_result(run.run_id, "a1", timeout=180) for run in started))
        self.assertEqual([(a.status, a.stdout) for a in actions], [("succeeded", "9\n"), ("succeeded", "16\n"), ("succeeded", "25\n")])
        stdout = [(a.result.stdout.sha256, run.run_id) for a, run in zip(actions, started) if a.result]
        artifacts = await asyncio.gather(*(self.agent.get_artifact(sha256, run_id=run_id) for sha256, run_id in stdout))
        self.assertEqual([a.data for a in artifacts], [b"9\n", b"16\n", b"25\n"])

    async def test_risky_code_is_approved_while_the_agent_awaits_it(self) -> None:
        agent = agent_id("async-risky")

        async def approve_when_pending() -> str:
            for _ in range(300):
                runs = await self.approver.list_runs(agent=agent, pending=True)
                if runs:
                    outcome = await self.approver.decide(runs[0].run_id, "a1", "approve", reason="async review")
                    return outcome.status
                await asyncio.sleep(0.2)
            raise AssertionError(f"no pending run of {agent}")

        action, status = await asyncio.gather(self.agent.run_code(RISKY, agent=agent, timeout=180), approve_when_pending())
        self.assertEqual(status, "approved")
        self.assertIsInstance(action, Action)
        self.assertEqual((action.status, action.stdout), ("succeeded", "approved-ok\n"))
        self.assertEqual([(d.approver, d.reason) for d in action.decisions], [(self.env.approver, "async review")])

    async def test_errors_are_the_same_typed_errors(self) -> None:
        with self.assertRaises(AuthError):
            await AsyncAirlockClient(self.env.url, "alk_not-a-real-token").get_run("run-x")
        with self.assertRaises(ValidationError) as invalid:
            await self.agent.start_run(agent_id("async-invalid"), approval_timeout_ms=-5)
        self.assertIn("approvalTimeoutMs", invalid.exception.message)
