"""Each API operation as a request plus the function that reads its answer; both clients execute these."""

from __future__ import annotations

import ssl
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from ._codec import from_json, to_json
from ._http import Endpoint, HttpRequest, RetryPolicy, build_request, parse_base_url
from ._polling import DEFAULT_POLL, PollSchedule
from .models import (
    ActionRequest,
    Artifact,
    DecideRequest,
    DecisionKind,
    DecisionOutcome,
    ListRunsQuery,
    RiskLevel,
    Run,
    RunList,
    RunStatus,
    RunSummary,
    StartedRun,
    StartRunRequest,
    SubmittedAction,
)

T = TypeVar("T")


@dataclass(frozen=True)
class Call(Generic[T]):
    request: HttpRequest
    read: Callable[[Any], T]
    #: Sent with an Idempotency-Key: a repeat after a lost connection returns the first result.
    keyed: bool = False


def check_token(token: str) -> str:
    # A header value with whitespace or control characters could smuggle extra headers; refuse it outright.
    if not isinstance(token, str) or not token or any(c.isspace() or ord(c) < 33 or ord(c) > 126 for c in token):
        raise ValueError("token must be a non-empty bearer token without spaces (create one with `airlock token create`)")
    return token


class Calls:
    """Builds the calls of one client (its base URL and token)."""

    def __init__(self, base_url: str, token: str) -> None:
        self.endpoint: Endpoint = parse_base_url(base_url)
        self._token = check_token(token)

    def _request(self, operation: str, **kwargs: Any) -> HttpRequest:
        return build_request(self.endpoint, self._token, operation, **kwargs)

    def start_run(
        self,
        agent: str,
        actions: Sequence[ActionRequest],
        *,
        close_when_done: bool,
        approval_timeout_ms: int | None,
        idle_timeout_ms: int | None,
        idempotency_key: str | None,
        callback_url: str | None = None,
    ) -> Call[StartedRun]:
        body = StartRunRequest(
            agent=agent,
            actions=list(actions),
            close_when_done=close_when_done,
            approval_timeout_ms=approval_timeout_ms,
            idle_timeout_ms=idle_timeout_ms,
            callback_url=callback_url,
        )
        request = self._request("startRun", body=to_json(body), idempotency_key=idempotency_key)
        return Call(request, lambda data: from_json(StartedRun, data), idempotency_key is not None)

    def submit_action(self, run_id: str, action: ActionRequest, idempotency_key: str | None) -> Call[SubmittedAction]:
        if not isinstance(action, ActionRequest):
            raise TypeError("action must be an ActionRequest (for example ActionRequest(code='print(1)'))")
        request = self._request("submitAction", params={"runId": run_id}, body=to_json(action), idempotency_key=idempotency_key)
        return Call(request, lambda data: from_json(SubmittedAction, data), idempotency_key is not None)

    def get_run(self, run_id: str) -> Call[Run]:
        return Call(self._request("getRun", params={"runId": run_id}), lambda data: from_json(Run, data))

    def list_runs(
        self, *, status: RunStatus | None, agent: str | None, risk: RiskLevel | None, pending: bool | None, limit: int | None
    ) -> Call[list[RunSummary]]:
        query = ListRunsQuery(
            status=status, agent=agent, risk=risk, pending=None if pending is None else ("true" if pending else "false"), limit=limit
        )
        return Call(self._request("listRuns", query=to_json(query)), lambda data: from_json(RunList, data).runs)

    def decide(self, run_id: str, action_id: str, decision: DecisionKind, reason: str | None) -> Call[DecisionOutcome]:
        if decision not in ("approve", "deny"):
            raise ValueError(f'decision must be "approve" or "deny", not {decision!r}')
        body = to_json(DecideRequest(decision=decision, reason=reason))
        request = self._request("decide", params={"runId": run_id, "actionId": action_id}, body=body)
        return Call(request, lambda data: from_json(DecisionOutcome, data))

    def get_artifact(self, sha256: str, run_id: str | None) -> Call[Artifact]:
        request = self._request("getArtifact", params={"sha256": sha256}, query={"runId": run_id})
        return Call(request, lambda data: from_json(Artifact, data))

    def openapi(self) -> Call[dict[str, Any]]:
        return Call(self._request("getOpenApiDocument"), lambda data: data)



class ClientSettings:
    """What both clients keep: the calls for one base URL and token, timeouts, retry and poll rules."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        poll: PollSchedule = DEFAULT_POLL,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self._calls = Calls(base_url, token)
        self._timeout = timeout
        self._retry = retry or RetryPolicy()
        self._poll = poll
        self._ssl_context = ssl_context

    def __repr__(self) -> str:
        # Never the token.
        e = self._calls.endpoint
        return f"{type(self).__name__}({e.scheme}://{e.host_header}{e.base_path})"
