"""AirlockClient against the live stack: results, approvals, denials and every typed error."""

from __future__ import annotations

import hashlib
import textwrap
import threading
from concurrent.futures import Future

from airlock_sdk import (
    ActionRequest,
    AirlockClient,
    AuthError,
    ConflictError,
    ForbiddenError,
    Limits,
    NotFoundError,
    RateLimitedError,
    RetryPolicy,
    ValidationError,
    WaitTimeoutError,
)
from airlock_sdk.models import Action

from live import BENIGN, CRITICAL, RISKY, LiveTestCase, agent_id, eventually


def in_thread(fn, *args, **kwargs) -> Future:
    """Runs a blocking call beside the test (the agent waits while the approver decides)."""
    future: Future = Future()

    def target() -> None:
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as err:  # handed to the test through the future
            future.set_exception(err)

    threading.Thread(target=target, daemon=True).start()
    return future


class SyncClientTest(LiveTestCase):
    def setUp(self) -> None:
        self.agent = AirlockClient(self.env.url, self.env.agent_token)
        self.approver = AirlockClient(self.env.url, self.env.approver_token)

    def pending_run_of(self, agent: str) -> str:
        """What an approver service does: find the run of this agent that waits for a human."""

        def attempt() -> str | None:
            runs = self.approver.list_runs(agent=agent, pending=True)
            return runs[0].run_id if runs else None

        return eventually(f"a pending run of {agent}", attempt)

    def test_benign_code_runs_to_its_result(self) -> None:
        action = self.agent.run_code(BENIGN, agent=agent_id("benign"), task="sum a range", timeout=120)
        self.assertIsInstance(action, Action)
        self.assertEqual(action.status, "succeeded")
        self.assertTrue(action.succeeded)
        self.assertEqual(action.stdout, "45\n")
        assert action.result is not None and action.risk is not None
        self.assertEqual(action.result.exit_code, 0)
        self.assertEqual(action.risk.level, "low")
        self.assertEqual([(d.approver, d.automatic, d.channel) for d in action.decisions], [("policy", True, "policy")])
        self.assertIn("gate.low.auto-approve", action.decisions[0].rule_ids or [])
        self.assertTrue(action.result.sandbox.container_id)

    def test_risky_code_waits_for_an_approver_and_then_runs(self) -> None:
        agent = agent_id("risky")
        waiting = in_thread(self.agent.run_code, RISKY, agent=agent, task="list files", timeout=180)
        run_id = self.pending_run_of(agent)
        pending = self.approver.get_run(run_id).action("a1")
        assert pending is not None and pending.risk is not None
        self.assertEqual(pending.status, "awaiting_approval")
        self.assertEqual(pending.risk.level, "medium")
        self.assertTrue(any("subprocess" in f.match for f in pending.risk.findings), pending.risk.findings)
        self.assertFalse(waiting.done(), "run_code keeps waiting while the action awaits approval")

        # The agent's own token can never approve its code (today the refusal is `self_approval`; agent tokens
        # may lose the right to decide at all), and the attempt leaves no trace in the run.
        with self.assertRaises(ForbiddenError) as own:
            self.agent.decide(run_id, "a1", "approve")
        self.assertEqual(own.exception.status, 403)
        still = self.approver.get_run(run_id).action("a1")
        assert still is not None
        self.assertEqual((still.status, still.decisions), ("awaiting_approval", []))

        outcome = self.approver.decide(run_id, "a1", "approve", reason="reviewed by the SDK test")
        self.assertEqual((outcome.action_id, outcome.status, outcome.approvals, outcome.required_approvals), ("a1", "approved", 1, 1))
        action: Action = waiting.result(timeout=180)
        self.assertEqual(action.status, "succeeded")
        self.assertEqual(action.stdout, "approved-ok\n")
        decision = action.decisions[-1]
        self.assertEqual((decision.decision, decision.approver, decision.channel, decision.reason), ("approve", self.env.approver, "api", "reviewed by the SDK test"))

        with self.assertRaises(ConflictError) as late:
            self.approver.decide(run_id, "a1", "deny")
        self.assertEqual(late.exception.status, 409)

    def test_a_denial_comes_back_as_a_denial(self) -> None:
        agent = agent_id("denied")
        waiting = in_thread(self.agent.run_code, RISKY, agent=agent, timeout=180)
        run_id = self.pending_run_of(agent)
        outcome = self.approver.decide(run_id, "a1", "deny", reason="not on a Tuesday")
        self.assertEqual(outcome.status, "denied")
        action: Action = waiting.result(timeout=180)
        self.assertEqual(action.status, "denied")
        self.assertTrue(action.denied)
        self.assertIsNone(action.result, "a denied action never runs")
        self.assertEqual(action.stdout, "")
        denial = action.denial
        assert denial is not None
        self.assertEqual((denial.approver, denial.reason, denial.automatic), (self.env.approver, "not on a Tuesday", False))

    def test_the_policy_denies_critical_code_without_asking(self) -> None:
        action = self.agent.run_code(CRITICAL, language="bash", agent=agent_id("critical"), timeout=120)
        self.assertEqual(action.status, "denied")
        assert action.risk is not None and action.denial is not None
        self.assertEqual(action.risk.level, "critical")
        self.assertTrue(action.denial.automatic)
        self.assertIn("gate.critical.deny", action.denial.rule_ids or [])
        self.assertIsNone(action.result)

    def test_a_session_takes_more_actions_from_its_requester_only(self) -> None:
        started = self.agent.start_run(agent_id("session"))
        self.assertEqual(started.requester, self.env.requester)
        submitted = self.agent.submit_action(started.run_id, ActionRequest(language="node", code="console.log(6 * 7)"))
        self.assertEqual(submitted.action_id, "a1")
        action = self.agent.wait_for_result(started.run_id, submitted.action_id, timeout=120)
        self.assertEqual((action.status, action.stdout), ("succeeded", "42\n"))

        with self.assertRaises(ForbiddenError) as foreign:
            self.approver.submit_action(started.run_id, ActionRequest(code="print(1)"))
        self.assertIn("only its requester may submit", foreign.exception.message)
        run = self.agent.get_run(started.run_id)
        self.assertEqual((run.requester, [a.action_id for a in run.actions]), (self.env.requester, ["a1"]))

    def test_files_go_in_and_outputs_come_back_as_artifacts(self) -> None:
        code = textwrap.dedent(
            """\
            import os
            numbers = [int(x) for x in open("in/numbers.txt").read().split()]
            os.makedirs("out", exist_ok=True)
            with open("out/total.csv", "w") as f:
                f.write(f"total\\n{sum(numbers)}\\n")
            with open("out/blob.bin", "wb") as f:
                f.write(bytes(range(256)))
            print(len(numbers))
            """
        )
        request = ActionRequest(code=code, files={"in/numbers.txt": "1 2 3\n"}, outputs=["out/*"], limits=Limits(timeout_sec=20))
        started = self.agent.start_run(agent_id("files"), [request], close_when_done=True)
        action = self.agent.wait_for_result(started.run_id, "a1", timeout=120)
        self.assertEqual((action.status, action.stdout), ("succeeded", "3\n"), action.outcome)
        self.assertEqual(action.limits.timeout_sec, 20)
        assert action.result is not None
        files = {f.path: f for f in action.result.output_files or []}
        self.assertEqual(sorted(files), ["out/blob.bin", "out/total.csv"])
        csv, blob = "total\n6\n".encode(), bytes(range(256))
        self.assertEqual((files["out/total.csv"].bytes, files["out/total.csv"].preview), (len(csv), "total\n6\n"))

        # The artifact store hands back the exact bytes under the hashes the result names.
        for sha256, content, encoding in (
            (files["out/total.csv"].sha256, csv, "utf8"),
            (files["out/blob.bin"].sha256, blob, "base64"),
            (action.result.stdout.sha256, b"3\n", "utf8"),
        ):
            self.assertEqual(sha256, hashlib.sha256(content).hexdigest())
            artifact = self.agent.get_artifact(sha256, run_id=started.run_id)
            self.assertEqual((artifact.sha256, artifact.bytes, artifact.encoding, artifact.data), (sha256, len(content), encoding, content))
        with self.assertRaises(NotFoundError):
            self.agent.get_artifact(hashlib.sha256(b"never stored").hexdigest(), run_id=started.run_id)
        # A sha256 alone is no capability for an agent: it names the run that produced the artifact.
        with self.assertRaises(ForbiddenError):
            self.agent.get_artifact(files["out/total.csv"].sha256)
        with self.assertRaises(ValidationError) as bad:
            self.agent.get_artifact("../../etc/passwd", run_id=started.run_id)
        self.assertIn("sha256", bad.exception.message)

    def test_bad_input_is_a_validation_error_with_the_servers_message(self) -> None:
        with self.assertRaises(ValidationError) as language:
            self.agent.run_code("print(1)", language="cobol", agent=agent_id("invalid"))  # type: ignore[arg-type]
        self.assertEqual((language.exception.status, language.exception.code), (400, "invalid_request"))
        self.assertIn('unknown language "cobol"', language.exception.message)
        with self.assertRaises(ValidationError) as memory:
            self.agent.run_code("print(1)", limits=Limits(memory_mb=1), agent=agent_id("invalid"))
        self.assertIn("memoryMb must be at least 16", memory.exception.message)
        with self.assertRaises(ValidationError) as agent:
            self.agent.start_run("not an agent id!")
        self.assertIn("may contain letters, digits", agent.exception.message)

    def test_a_bad_token_is_an_auth_error(self) -> None:
        with self.assertRaises(AuthError) as bad:
            AirlockClient(self.env.url, "alk_not-a-real-token").list_runs()
        self.assertEqual((bad.exception.status, bad.exception.code), (401, "unauthenticated"))
        self.assertIn("not valid", bad.exception.message)
        self.assertNotIn("alk_not-a-real-token", str(bad.exception), "errors never repeat the token")

    def test_an_unknown_run_is_not_found(self) -> None:
        with self.assertRaises(NotFoundError) as missing:
            self.agent.get_run("run-does-not-exist")
        self.assertEqual(missing.exception.status, 404)

    def test_a_wait_that_times_out_says_where_the_action_stands(self) -> None:
        started = self.agent.start_run(agent_id("timeout"), [ActionRequest(code=RISKY)], close_when_done=True)
        with self.assertRaises(WaitTimeoutError) as waited:
            self.agent.wait_for_result(started.run_id, "a1", timeout=1.5)
        self.assertEqual((waited.exception.run_id, waited.exception.action_id), (started.run_id, "a1"))
        self.assertIn(waited.exception.last_status, ("received", "assessed", "awaiting_approval"))
        # The run went on regardless: it is still there to be decided.
        self.approver.wait_for_action(started.run_id, "a1", {"awaiting_approval"}, timeout=60)
        self.assertEqual(self.approver.decide(started.run_id, "a1", "deny").status, "denied")

    def test_429_is_a_rate_limited_error_with_retry_after_and_is_retried_when_asked(self) -> None:
        impatient = AirlockClient(self.env.limited_url, self.env.limited_token, retry=RetryPolicy(max_retries=0))
        accepted = 0
        with self.assertRaises(RateLimitedError) as limited:
            # The budget is 60 per minute; a refused query still spends one (authentication comes first).
            for _ in range(100):
                try:
                    impatient.list_runs(limit=0)
                except ValidationError:
                    accepted += 1
        # At most a burst of 60 passes, and the bucket refills by one a second while the loop runs.
        self.assertLessEqual(accepted, 70)
        self.assertEqual((limited.exception.status, limited.exception.code), (429, "rate_limited"))
        assert limited.exception.retry_after is not None
        self.assertGreaterEqual(limited.exception.retry_after, 1)
        patient = AirlockClient(self.env.limited_url, self.env.limited_token, retry=RetryPolicy(max_retries=3, max_delay=5))
        self.assertIsInstance(patient.list_runs(limit=1), list, "the retry after Retry-After succeeds")
