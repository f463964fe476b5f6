"""Python SDK for Airlock's HTTP API: run AI-written code behind risk scoring, approval and a sandbox.

Standard library only. ``AirlockClient`` blocks; ``AsyncAirlockClient`` is its asyncio twin.
"""

__version__ = "0.1.0"

from ._http import RetryPolicy  # noqa: E402
from ._polling import PollSchedule  # noqa: E402
from .async_client import AsyncAirlockClient  # noqa: E402
from .client import AirlockClient  # noqa: E402
from .errors import (  # noqa: E402
    AirlockConnectionError,
    AirlockError,
    ApiError,
    AuthError,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    ProtocolError,
    RateLimitedError,
    ServerError,
    ValidationError,
    WaitTimeoutError,
)
from .models import (  # noqa: E402
    Action,
    ActionRequest,
    ActionResult,
    Artifact,
    CapturedOutput,
    Decision,
    DecisionOutcome,
    Finding,
    Limits,
    NetworkRequest,
    Risk,
    Run,
    RunSummary,
    StartedRun,
    SubmittedAction,
)

__all__ = [
    "AirlockClient",
    "AsyncAirlockClient",
    "RetryPolicy",
    "PollSchedule",
    "AirlockError",
    "AirlockConnectionError",
    "ProtocolError",
    "WaitTimeoutError",
    "ApiError",
    "ValidationError",
    "AuthError",
    "ForbiddenError",
    "NotFoundError",
    "ConflictError",
    "RateLimitedError",
    "ServerError",
    "Action",
    "ActionRequest",
    "ActionResult",
    "Artifact",
    "CapturedOutput",
    "Decision",
    "DecisionOutcome",
    "Finding",
    "Limits",
    "NetworkRequest",
    "Risk",
    "Run",
    "RunSummary",
    "StartedRun",
    "SubmittedAction",
]
