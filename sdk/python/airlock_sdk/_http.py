"""What the sync and async clients share: the operation table, request building, reading answers, retry rules.

Neither client does any of this itself, so both send the same bytes and raise the same errors; they differ only
in how the bytes travel (http.client in a blocking call, asyncio streams in a coroutine).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Mapping
from urllib.parse import quote, urlencode, urlsplit

from . import __version__
from .errors import AirlockConnectionError, ProtocolError, RateLimitedError, ServerError, error_for_response

#: The API operations the SDK implements: operationId → (method, path template). The drift test checks them
#: against the live OpenAPI document, so a renamed or new route is noticed.
OPERATIONS: dict[str, tuple[str, str]] = {
    "startRun": ("POST", "/v1/runs"),
    "listRuns": ("GET", "/v1/runs"),
    "getRun": ("GET", "/v1/runs/{runId}"),
    "submitAction": ("POST", "/v1/runs/{runId}/actions"),
    "decide": ("POST", "/v1/runs/{runId}/actions/{actionId}/decision"),
    "getArtifact": ("GET", "/v1/artifacts/{sha256}"),
    "getOpenApiDocument": ("GET", "/v1/openapi.json"),
}

#: Operations that take an Idempotency-Key header (the drift test checks this against the document too).
IDEMPOTENT_OPERATIONS: frozenset[str] = frozenset({"startRun", "submitAction"})

USER_AGENT = f"airlock-sdk-python/{__version__}"
IDEMPOTENCY_HEADER = "Idempotency-Key"
MAX_IDEMPOTENCY_KEY_CHARS = 200


@dataclass(frozen=True)
class Endpoint:
    """Where the API lives, split out of the base URL once."""

    scheme: str
    host: str
    port: int
    base_path: str

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return host if self.port == default else f"{host}:{self.port}"


def parse_base_url(base_url: str) -> Endpoint:
    """``http://127.0.0.1:8080`` (optionally with a path prefix) → Endpoint; anything else is a ValueError."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"base_url must be an http:// or https:// URL, not {base_url!r}")
    if parts.query or parts.fragment:
        raise ValueError(f"base_url must not carry a query or fragment: {base_url!r}")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return Endpoint(parts.scheme, parts.hostname, port, parts.path.rstrip("/"))


@dataclass(frozen=True)
class HttpRequest:
    method: str
    target: str
    headers: dict[str, str]
    body: bytes | None


@dataclass(frozen=True)
class HttpResponse:
    status: int
    #: Header names in lower case.
    headers: dict[str, str]
    body: bytes


def operation_target(endpoint: Endpoint, operation: str, params: Mapping[str, str], query: Mapping[str, Any] | None) -> str:
    """The request target of an operation: path parameters percent-encoded, None-valued query entries left out."""
    _, template = OPERATIONS[operation]
    path = template
    for name, value in params.items():
        if not isinstance(value, str) or value == "":
            raise ValueError(f"{name} must be a non-empty string")
        path = path.replace("{" + name + "}", quote(value, safe=""))
    target = endpoint.base_path + path
    pairs = [(k, v) for k, v in (query or {}).items() if v is not None]
    return target + ("?" + urlencode(pairs) if pairs else "")


def build_request(
    endpoint: Endpoint,
    token: str,
    operation: str,
    *,
    params: Mapping[str, str] | None = None,
    query: Mapping[str, Any] | None = None,
    body: Any = None,
    idempotency_key: str | None = None,
) -> HttpRequest:
    method, _ = OPERATIONS[operation]
    headers = {
        "Host": endpoint.host_header,
        "User-Agent": USER_AGENT,
        "Accept": "application/json",
        "Authorization": f"Bearer {token}",
    }
    data = None
    if body is not None:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        headers["Content-Type"] = "application/json"
    if method == "POST":
        # Fastify refuses a JSON POST without a body length; an empty body is sent as length 0.
        headers["Content-Length"] = str(len(data or b""))
    if idempotency_key is not None:
        if operation not in IDEMPOTENT_OPERATIONS:
            raise ValueError(f"{operation} takes no idempotency key")
        check_idempotency_key(idempotency_key)
        headers[IDEMPOTENCY_HEADER] = idempotency_key
    return HttpRequest(method, operation_target(endpoint, operation, params or {}, query), headers, data)


def check_idempotency_key(key: str) -> None:
    """A key is 1–255 visible ASCII characters, so it travels unchanged in a header."""
    if not isinstance(key, str) or not 0 < len(key) <= MAX_IDEMPOTENCY_KEY_CHARS or not all(33 <= ord(c) <= 126 for c in key):
        raise ValueError(f"idempotency_key must be 1 to {MAX_IDEMPOTENCY_KEY_CHARS} visible ASCII characters (no spaces)")


def read_response(response: HttpResponse) -> Any:
    """The decoded JSON of a 2xx answer; a typed ApiError for anything else."""
    text = response.body.decode("utf-8", errors="replace")
    try:
        decoded: Any = json.loads(text) if text else None
    except ValueError:
        decoded = None
        if 200 <= response.status < 300:
            raise ProtocolError(f"HTTP {response.status} with a body that is not JSON: {text[:200]!r}") from None
    if 200 <= response.status < 300:
        return decoded
    raise error_for_response(response.status, decoded if decoded is not None else text, response.headers.get("retry-after"))


@dataclass(frozen=True)
class RetryPolicy:
    """When a failed request is sent again.

    A 429 is always safe to retry (the server refused it before doing anything) and waits the server's
    Retry-After, unless that is longer than ``max_delay``. A lost connection or a 503 is retried only where a
    second copy cannot do harm: reads, and POSTs that carry an idempotency key (the server answers a repeated key
    with the first result).
    """

    max_retries: int = 2
    #: First wait after a lost connection or 503, doubled on each further attempt.
    base_delay: float = 0.5
    #: Longest wait the client accepts; a longer Retry-After is raised to the caller instead.
    max_delay: float = 30.0

    def delay(self, error: Exception, attempt: int, method: str, has_idempotency_key: bool) -> float | None:
        """Seconds to wait before attempt ``attempt + 1`` (``attempt`` counts from 0), or None to give up."""
        if attempt >= self.max_retries:
            return None
        if isinstance(error, RateLimitedError):
            wait = error.retry_after if error.retry_after is not None else self.base_delay * 2**attempt
            return wait if wait <= self.max_delay else None
        repeatable = method == "GET" or has_idempotency_key
        if repeatable and (isinstance(error, AirlockConnectionError) or (isinstance(error, ServerError) and error.status == 503)):
            return min(self.base_delay * 2**attempt, self.max_delay)
        return None


NO_RETRIES = RetryPolicy(max_retries=0)

