"""Every failure the SDK raises. Nothing from urllib, http.client or asyncio leaks out: callers catch these."""

from __future__ import annotations

from typing import Any


class AirlockError(Exception):
    """Base of every SDK error."""


class AirlockConnectionError(AirlockError):
    """The server could not be reached, or the connection broke before a complete answer arrived."""


class ProtocolError(AirlockError):
    """The server answered something the SDK cannot read (not JSON, or a field the models need is missing)."""


class WaitTimeoutError(AirlockError, TimeoutError):
    """An action did not reach the awaited status in time. The run goes on; wait again or look it up later."""

    def __init__(self, message: str, *, run_id: str, action_id: str, last_status: str | None) -> None:
        super().__init__(message)
        self.run_id = run_id
        self.action_id = action_id
        self.last_status = last_status


class ApiError(AirlockError):
    """The API answered with an error status. ``code`` and ``message`` are the server's own."""

    def __init__(self, status: int, code: str, message: str, reason: str | None = None) -> None:
        super().__init__(f"{message} (HTTP {status}, {code}{', ' + reason if reason else ''})")
        self.status = status
        self.code = code
        self.message = message
        #: For refused decisions: the workflow's refusal type (``self_approval``, ``not_authorised``, ``timed_out`` …).
        self.reason = reason


class ValidationError(ApiError):
    """400: the request was refused as invalid; ``message`` says which field and why."""


class AuthError(ApiError):
    """401: no token, or a token the server does not know."""


class ForbiddenError(ApiError):
    """403: the token's principal may not do this (not the run's requester, no approver role, own action …)."""


class NotFoundError(ApiError):
    """404: no such run, action or route."""


class ConflictError(ApiError):
    """409: too late or twice (the action is no longer awaiting this decision, the run is closed …)."""


class RateLimitedError(ApiError):
    """429: this token's request budget is spent; ``retry_after`` is the server's wait in seconds."""

    def __init__(self, status: int, code: str, message: str, reason: str | None = None, *, retry_after: float | None = None) -> None:
        super().__init__(status, code, message, reason)
        self.retry_after = retry_after


class ServerError(ApiError):
    """5xx: the server failed or cannot reach Temporal right now (``code`` ``unavailable``)."""


_BY_STATUS: dict[int, type[ApiError]] = {
    400: ValidationError,
    401: AuthError,
    403: ForbiddenError,
    404: NotFoundError,
    409: ConflictError,
}


def error_for_response(status: int, body: Any, retry_after_header: str | None) -> ApiError:
    """The typed error for a non-2xx answer, from the ``{"error": {code, message, reason?}}`` body when present."""
    detail = body.get("error") if isinstance(body, dict) else None
    if isinstance(detail, dict) and isinstance(detail.get("message"), str):
        code = str(detail.get("code", "error"))
        message = detail["message"]
        reason = detail.get("reason") if isinstance(detail.get("reason"), str) else None
    else:
        code = "error"
        text = body if isinstance(body, str) else ""
        message = f"HTTP {status}" + (f": {text[:200]}" if text else "")
        reason = None
    if status == 429:
        return RateLimitedError(status, code, message, reason, retry_after=parse_retry_after(retry_after_header))
    cls = _BY_STATUS.get(status) or (ServerError if status >= 500 else ApiError)
    return cls(status, code, message, reason)


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After in seconds (the API sends whole seconds; an HTTP date is not used by Airlock and reads as None)."""
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    return seconds if seconds >= 0 else None
