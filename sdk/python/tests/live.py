"""What the live tests share: the stack's address and tokens (from the environment), code samples, small waits.

`npm test -- python-sdk` starts a live stack and sets the variables. Run by hand, a missing variable fails the
live tests with a message saying so; the unit tests (test_unit_*.py) need none.
"""

from __future__ import annotations

import os
import secrets
import time
import unittest
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

BENIGN = "print(sum(range(10)))"
# Importing subprocess makes an action medium risk: a human approver must decide.
RISKY = 'import subprocess\nprint(subprocess.run(["echo", "approved-ok"], capture_output=True, text=True).stdout.strip())'
# `rm -rf /` is critical in any language: the policy denies it without asking anyone.
CRITICAL = "rm -rf /"


class LiveEnv:
    def __init__(self) -> None:
        names = ["AIRLOCK_URL", "AIRLOCK_AGENT_TOKEN", "AIRLOCK_APPROVER_TOKEN", "AIRLOCK_APPROVER", "AIRLOCK_REQUESTER",
                 "AIRLOCK_LIMITED_URL", "AIRLOCK_LIMITED_TOKEN"]
        missing = [n for n in names if not os.environ.get(n)]
        if missing:
            raise RuntimeError(
                f"live SDK tests need {', '.join(missing)}: run them with `npm test -- python-sdk`, which starts a stack"
            )
        self.url = os.environ["AIRLOCK_URL"]
        self.agent_token = os.environ["AIRLOCK_AGENT_TOKEN"]
        self.approver_token = os.environ["AIRLOCK_APPROVER_TOKEN"]
        #: Principals behind the tokens: the requester (agent token) and the approver.
        self.requester = os.environ["AIRLOCK_REQUESTER"]
        self.approver = os.environ["AIRLOCK_APPROVER"]
        #: An API with a 60-per-minute budget per token, and a token of its own for the rate-limit test.
        self.limited_url = os.environ["AIRLOCK_LIMITED_URL"]
        self.limited_token = os.environ["AIRLOCK_LIMITED_TOKEN"]
        #: Agent id of every run the tests start, so the stack can check afterwards that they happened.
        self.agent_prefix = os.environ.get("AIRLOCK_SDK_AGENT", "py-sdk")


class LiveTestCase(unittest.TestCase):
    env: LiveEnv

    @classmethod
    def setUpClass(cls) -> None:
        cls.env = LiveEnv()


def agent_id(label: str) -> str:
    """A fresh agent id under the stack's prefix (agent ids are how tests find their runs)."""
    return f"{os.environ.get('AIRLOCK_SDK_AGENT', 'py-sdk')}.{label}-{secrets.token_hex(3)}"


def eventually(what: str, attempt: Callable[[], T | None], timeout: float = 60.0) -> T:
    """Polls ``attempt`` until it returns something other than None."""
    deadline = time.monotonic() + timeout
    while True:
        value = attempt()
        if value is not None:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)
