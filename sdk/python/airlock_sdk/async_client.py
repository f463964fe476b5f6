"""The asyncio client: real non-blocking I/O on asyncio streams (no thread pool), one connection per request.

Cancelling a coroutine (``asyncio.wait_for``, task cancellation) closes its connection at once. Cancelling a wait
never cancels the run: the action goes on in Airlock and can be awaited again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from ._async_http import exchange
from ._calls import Call, ClientSettings
from ._http import read_response
from ._polling import check_action, timeout_error
from .client import DEFAULT_WAIT_SEC
from .errors import AirlockConnectionError, ApiError
from .models import (
    FINAL_ACTION_STATUSES,
    Action,
    ActionRequest,
    Artifact,
    DecisionKind,
    DecisionOutcome,
    Language,
    Limits,
    RiskLevel,
    Run,
    RunStatus,
    RunSummary,
    StartedRun,
    SubmittedAction,
)

T = TypeVar("T")


class AsyncAirlockClient(ClientSettings):
    """The same operations as AirlockClient, as coroutines."""

    async def start_run(
        self,
        agent: str,
        actions: Sequence[ActionRequest] = (),
        *,
        close_when_done: bool = False,
        approval_timeout_ms: int | None = None,
        idle_timeout_ms: int | None = None,
        idempotency_key: str | None = None,
        callback_url: str | None = None,
    ) -> StartedRun:
        """See AirlockClient.start_run."""
        return await self._execute(
            self._calls.start_run(
                agent,
                actions,
                close_when_done=close_when_done,
                approval_timeout_ms=approval_timeout_ms,
                idle_timeout_ms=idle_timeout_ms,
                idempotency_key=idempotency_key,
                callback_url=callback_url,
            )
        )

    async def submit_action(self, run_id: str, action: ActionRequest, *, idempotency_key: str | None = None) -> SubmittedAction:
        """See AirlockClient.submit_action."""
        return await self._execute(self._calls.submit_action(run_id, action, idempotency_key))

    async def get_run(self, run_id: str) -> Run:
        """See AirlockClient.get_run."""
        return await self._execute(self._calls.get_run(run_id))

    async def list_runs(
        self,
        *,
        status: RunStatus | None = None,
        agent: str | None = None,
        risk: RiskLevel | None = None,
        pending: bool | None = None,
        limit: int | None = None,
    ) -> list[RunSummary]:
        """See AirlockClient.list_runs."""
        return await self._execute(self._calls.list_runs(status=status, agent=agent, risk=risk, pending=pending, limit=limit))

    async def decide(self, run_id: str, action_id: str, decision: DecisionKind, *, reason: str | None = None) -> DecisionOutcome:
        """See AirlockClient.decide."""
        return await self._execute(self._calls.decide(run_id, action_id, decision, reason))

    async def get_artifact(self, sha256: str, *, run_id: str | None = None) -> Artifact:
        """See AirlockClient.get_artifact."""
        return await self._execute(self._calls.get_artifact(sha256, run_id))

    async def openapi(self) -> dict[str, Any]:
        """The server's OpenAPI document."""
        return await self._execute(self._calls.openapi())

    async def wait_for_action(
        self, run_id: str, action_id: str, statuses: Iterable[str], *, timeout: float = DEFAULT_WAIT_SEC
    ) -> Action:
        """See AirlockClient.wait_for_action."""
        wanted = frozenset(statuses)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        delays = self._poll.delays()
        while True:
            run = await self.get_run(run_id)
            action = check_action(run, action_id, wanted)
            if action is not None:
                return action
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise timeout_error(run_id, action_id, timeout, run, wanted)
            await asyncio.sleep(min(next(delays), remaining))

    async def wait_for_result(self, run_id: str, action_id: str, *, timeout: float = DEFAULT_WAIT_SEC) -> Action:
        """See AirlockClient.wait_for_result."""
        return await self.wait_for_action(run_id, action_id, FINAL_ACTION_STATUSES, timeout=timeout)

    async def run_action(
        self, action: ActionRequest, *, agent: str, timeout: float = DEFAULT_WAIT_SEC, idempotency_key: str | None = None
    ) -> Action:
        """See AirlockClient.run_action."""
        started = await self.start_run(agent, [action], close_when_done=True, idempotency_key=idempotency_key)
        return await self.wait_for_result(started.run_id, "a1", timeout=timeout)

    async def run_code(
        self,
        code: str,
        *,
        agent: str,
        language: Language = "python",
        task: str | None = None,
        limits: Limits | None = None,
        approval_timeout_ms: int | None = None,
        timeout: float = DEFAULT_WAIT_SEC,
        idempotency_key: str | None = None,
    ) -> Action:
        """See AirlockClient.run_code."""
        action = ActionRequest(code=code, language=language, task=task, limits=limits, approval_timeout_ms=approval_timeout_ms)
        return await self.run_action(action, agent=agent, timeout=timeout, idempotency_key=idempotency_key)

    async def _execute(self, call: Call[T]) -> T:
        attempt = 0
        while True:
            try:
                response = await exchange(self._calls.endpoint, call.request, self._timeout, self._ssl_context)
                return call.read(read_response(response))
            except (AirlockConnectionError, ApiError) as error:
                delay = self._retry.delay(error, attempt, call.request.method, call.keyed)
                if delay is None:
                    raise
            await asyncio.sleep(delay)
            attempt += 1
