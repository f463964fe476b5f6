"""The blocking client: one http.client connection per request, so one client may be shared by threads."""

from __future__ import annotations

import http.client
import time
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from ._calls import Call, ClientSettings
from ._http import HttpRequest, HttpResponse, read_response
from ._polling import check_action, timeout_error
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

#: Longest wait of run_code / wait_for_result unless told otherwise: beyond the default 15-minute approval wait.
DEFAULT_WAIT_SEC = 20 * 60.0


class AirlockClient(ClientSettings):
    """Airlock's HTTP API for one bearer token: ``AirlockClient(base_url, token, *, timeout=30.0, retry=None,
    poll=PollSchedule(), ssl_context=None)``.

    ``timeout`` bounds each HTTP request (seconds); waits for results have their own ``timeout``. ``retry`` says
    which failed requests are sent again (by default: 429s after Retry-After, and lost connections of reads and of
    POSTs with an idempotency key).
    """

    # --- operations ------------------------------------------------------------------------------------------------

    def start_run(
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
        """Starts a run as the token's principal (the requester). Actions in the request are numbered a1, a2, …"""
        return self._execute(
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

    def submit_action(self, run_id: str, action: ActionRequest, *, idempotency_key: str | None = None) -> SubmittedAction:
        """Adds an action to one of the principal's own open runs."""
        return self._execute(self._calls.submit_action(run_id, action, idempotency_key))

    def get_run(self, run_id: str) -> Run:
        """The run with its actions, risk assessments, decisions and results."""
        return self._execute(self._calls.get_run(run_id))

    def list_runs(
        self,
        *,
        status: RunStatus | None = None,
        agent: str | None = None,
        risk: RiskLevel | None = None,
        pending: bool | None = None,
        limit: int | None = None,
    ) -> list[RunSummary]:
        """Runs, newest first. ``pending=True``: only runs with an action waiting for a human."""
        return self._execute(self._calls.list_runs(status=status, agent=agent, risk=risk, pending=pending, limit=limit))

    def decide(self, run_id: str, action_id: str, decision: DecisionKind, *, reason: str | None = None) -> DecisionOutcome:
        """Approves or denies as the token's principal. Only a principal with an approving role may; the requester
        never may decide on their own action (ForbiddenError), and a late or repeated decision is a ConflictError."""
        return self._execute(self._calls.decide(run_id, action_id, decision, reason))

    def get_artifact(self, sha256: str, *, run_id: str | None = None) -> Artifact:
        """An artifact (full stdout/stderr, a collected output file) by its sha256; ``.data`` is its bytes. An agent
        token must name the run that produced it (``run_id``, one of its own runs); reader tokens may leave it out."""
        return self._execute(self._calls.get_artifact(sha256, run_id))

    def openapi(self) -> dict[str, Any]:
        """The server's OpenAPI document."""
        return self._execute(self._calls.openapi())

    # --- waiting ---------------------------------------------------------------------------------------------------

    def wait_for_action(
        self, run_id: str, action_id: str, statuses: Iterable[str], *, timeout: float = DEFAULT_WAIT_SEC
    ) -> Action:
        """Polls the run until the action has one of ``statuses`` (or a final status); WaitTimeoutError after
        ``timeout`` seconds."""
        wanted = frozenset(statuses)
        deadline = time.monotonic() + timeout
        delays = self._poll.delays()
        while True:
            run = self.get_run(run_id)
            action = check_action(run, action_id, wanted)
            if action is not None:
                return action
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise timeout_error(run_id, action_id, timeout, run, wanted)
            time.sleep(min(next(delays), remaining))

    def wait_for_result(self, run_id: str, action_id: str, *, timeout: float = DEFAULT_WAIT_SEC) -> Action:
        """Waits until the action is final: succeeded, failed, denied or timed out. A denial is returned, not
        raised (``action.denied``)."""
        return self.wait_for_action(run_id, action_id, FINAL_ACTION_STATUSES, timeout=timeout)

    def run_action(
        self, action: ActionRequest, *, agent: str, timeout: float = DEFAULT_WAIT_SEC, idempotency_key: str | None = None
    ) -> Action:
        """One-shot: a run with this single action that closes when it is done; returns the final action."""
        started = self.start_run(agent, [action], close_when_done=True, idempotency_key=idempotency_key)
        return self.wait_for_result(started.run_id, "a1", timeout=timeout)

    def run_code(
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
        """One-shot run of ``code``; see run_action."""
        action = ActionRequest(code=code, language=language, task=task, limits=limits, approval_timeout_ms=approval_timeout_ms)
        return self.run_action(action, agent=agent, timeout=timeout, idempotency_key=idempotency_key)

    # --- transport -------------------------------------------------------------------------------------------------

    def _execute(self, call: Call[T]) -> T:
        attempt = 0
        while True:
            try:
                return call.read(read_response(self._send(call.request)))
            except (AirlockConnectionError, ApiError) as error:
                delay = self._retry.delay(error, attempt, call.request.method, call.keyed)
                if delay is None:
                    raise
            time.sleep(delay)
            attempt += 1

    def _send(self, request: HttpRequest) -> HttpResponse:
        endpoint = self._calls.endpoint
        connection: http.client.HTTPConnection
        if endpoint.scheme == "https":
            connection = http.client.HTTPSConnection(endpoint.host, endpoint.port, timeout=self._timeout, context=self._ssl_context)
        else:
            connection = http.client.HTTPConnection(endpoint.host, endpoint.port, timeout=self._timeout)
        try:
            connection.request(request.method, request.target, body=request.body, headers=request.headers)
            response = connection.getresponse()
            body = response.read()
            return HttpResponse(response.status, {k.lower(): v for k, v in response.getheaders()}, body)
        except (OSError, http.client.HTTPException) as err:
            raise AirlockConnectionError(
                f"no answer from Airlock at {endpoint.scheme}://{endpoint.host_header}: {err or type(err).__name__}"
            ) from err
        finally:
            connection.close()
