"""Parsing answers into models and requests into JSON (no server needed)."""

from __future__ import annotations

import unittest

from airlock_sdk import ActionRequest, Limits, NetworkRequest, ProtocolError
from airlock_sdk._codec import from_json, to_json
from airlock_sdk.models import Artifact, Run, StartRunRequest

DECISION = {"decision": "approve", "approver": "policy", "channel": "policy", "at": "2026-12-01T10:00:00.000Z",
            "automatic": True, "ruleIds": ["gate.low.auto-approve"], "policyVersion": "ab12"}
OUTPUT = {"text": "45\n", "inlineComplete": True, "bytes": 3, "truncated": False, "sha256": "e3b0"}
LIMITS = {"timeoutSec": 30, "memoryMb": 256, "cpus": 1, "pids": 128, "outputBytes": 1048576}
RUN = {
    "runId": "run-1", "agent": "bot", "requester": "alice", "status": "completed", "highestRisk": "low", "closed": True,
    "policyVersion": "ab12", "startedAt": "2026-12-01T10:00:00.000Z", "closedReason": "closed", "ignoredDecisions": [],
    "someFutureField": {"anything": 1},
    "actions": [{
        "actionId": "a1", "language": "python", "code": "print(sum(range(10)))", "status": "succeeded",
        "submittedAt": "t0", "updatedAt": "t1", "limits": LIMITS, "decisions": [DECISION], "requiredApprovals": 0,
        "risk": {"level": "low", "score": 0, "findings": [{"ruleId": "py.x", "description": "d", "level": "low", "score": 5, "match": "x", "line": 2}],
                 "ruleIds": [], "policyVersion": "ab12", "codeSha256": "c0de"},
        "result": {"exitCode": 0, "stdout": OUTPUT, "stderr": {**OUTPUT, "text": "", "bytes": 0}, "timedOut": False,
                   "oomKilled": False, "durationMs": 61,
                   "sandbox": {"containerId": "c1", "containerName": "airlock-run-1-a1", "image": "airlock-sandbox",
                               "imageId": "sha256:1", "runtime": "runc", "limits": LIMITS, "isolation": "standard"},
                   "usage": {"wallMs": 61, "cpuMs": None, "peakMemoryBytes": 1024, "limitsHit": []}},
    }],
}


class ModelParsingTest(unittest.TestCase):
    def test_a_run_parses_into_nested_models(self) -> None:
        run = from_json(Run, RUN)
        action = run.action("a1")
        assert action is not None and action.result is not None and action.risk is not None and action.result.usage is not None
        self.assertEqual((run.run_id, run.requester, run.highest_risk), ("run-1", "alice", "low"))
        self.assertEqual(action.stdout, "45\n")
        self.assertTrue(action.succeeded and action.is_final and not action.denied)
        self.assertEqual(action.risk.findings[0].rule_id, "py.x")
        self.assertEqual(action.decisions[0].rule_ids, ["gate.low.auto-approve"])
        self.assertIsNone(action.result.usage.cpu_ms)
        self.assertEqual(action.result.sandbox.limits.memory_mb, 256.0)
        self.assertIsInstance(action.result.sandbox.limits.cpus, float)
        self.assertIsNone(action.task)
        self.assertIsNone(run.action("a9"))

    def test_unknown_fields_and_new_enum_values_are_tolerated(self) -> None:
        newer = {**RUN, "status": "paused", "actions": [{**RUN["actions"][0], "status": "quarantined", "brandNew": [1]}]}
        run = from_json(Run, newer)
        self.assertEqual((run.status, run.actions[0].status), ("paused", "quarantined"))
        self.assertFalse(run.actions[0].is_final)

    def test_a_missing_required_field_names_its_path(self) -> None:
        broken = {**RUN, "actions": [{k: v for k, v in RUN["actions"][0].items() if k != "limits"}]}
        with self.assertRaisesRegex(ProtocolError, r"Run\.actions\[0\]: the server's answer has no 'limits'"):
            from_json(Run, broken)
        with self.assertRaisesRegex(ProtocolError, r"Run\.closed: null where a value is required"):
            from_json(Run, {**RUN, "closed": None})
        with self.assertRaisesRegex(ProtocolError, "expected a JSON object"):
            from_json(Run, ["not", "an", "object"])

    def test_an_artifact_gives_its_bytes_whichever_encoding_carried_them(self) -> None:
        text = from_json(Artifact, {"sha256": "s", "bytes": 3, "encoding": "utf8", "content": "é\n"})
        self.assertEqual(text.data, "é\n".encode())
        binary = from_json(Artifact, {"sha256": "s", "bytes": 3, "encoding": "base64", "content": "AP+A"})
        self.assertEqual(binary.data, b"\x00\xff\x80")

    def test_requests_are_camel_case_json_without_unset_fields(self) -> None:
        action = ActionRequest(code="print(1)", task="t", limits=Limits(timeout_sec=5, cpus=0.5),
                               network=NetworkRequest(allow=["api.example.com:443"]), files={"in/a.txt": "x"})
        self.assertEqual(to_json(action), {
            "code": "print(1)", "language": "python", "task": "t", "limits": {"timeoutSec": 5, "cpus": 0.5},
            "files": {"in/a.txt": "x"}, "network": {"allow": ["api.example.com:443"]},
        })
        start = StartRunRequest(agent="bot", actions=[ActionRequest(code="ls", language="bash")], close_when_done=True)
        self.assertEqual(to_json(start), {"agent": "bot", "actions": [{"code": "ls", "language": "bash"}], "closeWhenDone": True})


class OutcomeTest(unittest.TestCase):
    def action(self, status: str, **changes: object) -> Run:
        return from_json(Run, {**RUN, "actions": [{**RUN["actions"][0], "status": status, **changes}]}).actions[0]

    def test_the_outcome_says_who_denied_and_why_or_how_it_failed(self) -> None:
        human = {**DECISION, "decision": "deny", "approver": "bob", "channel": "api", "automatic": False, "reason": "touches prod"}
        self.assertEqual(self.action("denied", decisions=[human], result=None).outcome, "denied by bob: touches prod")
        policy = {**DECISION, "decision": "deny", "ruleIds": ["gate.critical.deny", "any.rm-rf"]}
        self.assertEqual(self.action("denied", decisions=[policy]).outcome, "denied by the policy (gate.critical.deny, any.rm-rf)")
        failed = {**RUN["actions"][0]["result"], "exitCode": 1, "stderr": {**OUTPUT, "text": "Traceback ...\nZeroDivisionError\n"}}
        self.assertEqual(self.action("failed", result=failed).outcome, "failed (exit 1): Traceback ...\nZeroDivisionError")
        self.assertEqual(self.action("failed", result=None, error="sandbox image missing").outcome, "failed: sandbox image missing")
        self.assertIn("nobody decided in time", self.action("timed_out").outcome)
