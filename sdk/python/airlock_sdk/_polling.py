"""Waiting for an action by polling ``GET /v1/runs/{runId}`` with growing pauses (server-sent events may replace
this later; the clients' signatures would not change)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from .errors import ProtocolError, WaitTimeoutError
from .models import FINAL_ACTION_STATUSES, Action, Run


@dataclass(frozen=True)
class PollSchedule:
    """Pauses between polls: ``initial``, then multiplied by ``factor`` up to ``maximum`` seconds."""

    initial: float = 0.2
    factor: float = 1.5
    maximum: float = 2.0

    def delays(self) -> Iterator[float]:
        delay = self.initial
        while True:
            yield delay
            delay = min(delay * self.factor, self.maximum)


DEFAULT_POLL = PollSchedule()


def check_action(run: Run, action_id: str, statuses: frozenset[str]) -> Action | None:
    """The action once it has one of ``statuses`` (or is final: a final action never changes again)."""
    action = run.action(action_id)
    if action is None:
        raise ProtocolError(f"run {run.run_id} has no action {action_id}")
    return action if action.status in statuses or action.status in FINAL_ACTION_STATUSES else None


def timeout_error(run_id: str, action_id: str, timeout: float, last: Run | None, statuses: Iterable[str]) -> WaitTimeoutError:
    action = last.action(action_id) if last else None
    status = action.status if action else None
    wanted = "a final status" if set(statuses) == set(FINAL_ACTION_STATUSES) else "/".join(sorted(statuses))
    return WaitTimeoutError(
        f"action {action_id} of {run_id} did not reach {wanted} within {timeout:g} s (last status: {status or 'unknown'})",
        run_id=run_id,
        action_id=action_id,
        last_status=status,
    )
