"""Typed models of the HTTP API's requests and answers.

They mirror the OpenAPI document served at ``/v1/openapi.json`` field for field (the SDK's drift test compares
them against a live server). Parsing ignores fields a newer server adds, and enum-like strings (``Literal``
aliases) are passed through as they come, so a new status does not break an older SDK.
"""

from __future__ import annotations

import base64
import builtins
from dataclasses import dataclass, field
from typing import Literal

RunStatus = Literal["running", "awaiting_approval", "completed", "failed", "closed"]
ActionStatus = Literal[
    "received", "assessed", "awaiting_approval", "approved", "denied", "timed_out", "running", "succeeded", "failed"
]
RiskLevel = Literal["low", "medium", "high", "critical"]
Language = Literal["python", "node", "bash"]
Isolation = Literal["standard", "strong"]
AttemptPhase = Literal["preparing", "created", "started", "exited", "finished"]
AttemptOutcome = Literal["completed", "failed", "lost-before-start", "lost-after-start", "lost-after-exit", "unknown"]
DecisionKind = Literal["approve", "deny"]
DecisionChannel = Literal["policy", "cli", "api", "ui", "slack", "webhook"]
NotifyChannel = Literal["slack", "webhook"]
LimitKind = Literal["timeout", "memory", "pids", "output"]
EgressVerdict = Literal["allowed", "denied"]
ApiErrorCode = Literal[
    "unauthenticated", "forbidden", "not_found", "conflict", "invalid_request", "rate_limited", "unavailable", "internal"
]

#: Statuses after which nothing more happens to an action.
FINAL_ACTION_STATUSES: frozenset[str] = frozenset({"denied", "timed_out", "succeeded", "failed"})



# --- requests ----------------------------------------------------------------------------------------------------


@dataclass(kw_only=True)
class Limits:
    """Resource limits an action asks for; the server fills in defaults and refuses values out of bounds."""

    timeout_sec: int | None = None
    memory_mb: int | None = None
    cpus: float | None = None
    pids: int | None = None
    output_bytes: int | None = None


@dataclass(kw_only=True)
class NetworkRequest:
    """Destinations (``host:port``, ``*.domain:port``) the code may reach through the egress proxy."""

    allow: list[str]


@dataclass(kw_only=True)
class ActionRequest:
    """One piece of code to run."""

    code: str
    language: Language = "python"
    #: What the code is for; shown to approvers.
    task: str | None = None
    limits: Limits | None = None
    isolation: Isolation | None = None
    #: Files placed under /workspace before the code starts (relative path → UTF-8 text).
    files: dict[str, str] | None = None
    #: Globs under /workspace collected into the artifact store after the code exits.
    outputs: list[str] | None = None
    approval_timeout_ms: int | None = None
    network: NetworkRequest | None = None
    #: Secrets (by name) the egress proxy adds to requests for their bound hosts; the code never holds them.
    credentials: list[str] | None = None


@dataclass(kw_only=True)
class StartRunRequest:
    """A new run. The requester is always the token's principal, never a field."""

    agent: str
    actions: list[ActionRequest] = field(default_factory=list)
    #: Close the run once its initial actions are finished (one-shot use).
    close_when_done: bool | None = None
    approval_timeout_ms: int | None = None
    idle_timeout_ms: int | None = None
    continue_as_new_after_events: int | None = None
    #: Where the run POSTs its events, signed; the policy must list the host (``callbacks.allowHosts``).
    callback_url: str | None = None


@dataclass(kw_only=True)
class DecideRequest:
    """A decision; the approver is the token's principal and the channel is ``api``."""

    decision: DecisionKind
    reason: str | None = None
    #: The action content sha256 the person reviewed; refused if the action no longer has it.
    content_sha256: str | None = None
    #: Which token-authenticated client decides (``api`` or ``cli``); ``api`` when absent.
    channel: Literal["api", "cli"] | None = None


@dataclass(kw_only=True)
class ListRunsQuery:
    """Filters of ``GET /v1/runs``."""

    status: RunStatus | None = None
    agent: str | None = None
    risk: RiskLevel | None = None
    #: ``"true"``: only runs with an action waiting for a human.
    pending: Literal["true", "false"] | None = None
    limit: int | None = None


# --- answers -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ResolvedLimits:
    """The limits the sandbox enforces (every one filled in)."""

    timeout_sec: float
    memory_mb: float
    cpus: float
    pids: float
    output_bytes: float


@dataclass(frozen=True, kw_only=True)
class NetworkGrant:
    """The canonical allowlist an action was given."""

    allow: list[str]


@dataclass(frozen=True, kw_only=True)
class Finding:
    """One risk rule that matched the code."""

    rule_id: str
    description: str
    level: RiskLevel
    score: float
    match: str
    #: 1-based line of the match.
    line: int


@dataclass(frozen=True, kw_only=True)
class Risk:
    """The risk assessment of an action's code under the run's pinned policy."""

    level: RiskLevel
    score: float
    findings: list[Finding]
    rule_ids: list[str]
    policy_version: str
    code_sha256: str


@dataclass(frozen=True, kw_only=True)
class InputFileView:
    """An input file as a reviewer sees it: path, sha256, size and the beginning of its text."""

    path: str
    sha256: str
    bytes: int
    preview: str | None = None
    preview_truncated: bool | None = None


@dataclass(frozen=True, kw_only=True)
class Decision:
    """A decision as recorded in the run: a human's, or the policy's own (``automatic``)."""

    decision: DecisionKind
    approver: str
    channel: DecisionChannel
    reason: str | None = None
    at: str
    automatic: bool
    rule_ids: list[str] | None = None
    policy_version: str
    #: Key id of the deciding service that signed a human decision.
    signer_key_id: str | None = None
    #: When the deciding service issued the signed decision.
    issued_at: str | None = None


@dataclass(frozen=True, kw_only=True)
class CapturedOutput:
    """stdout or stderr: the text inline (complete unless ``inline_complete`` is false), all of it by sha256."""

    text: str
    inline_complete: bool
    bytes: int
    truncated: bool
    sha256: str


@dataclass(frozen=True, kw_only=True)
class SandboxInfo:
    """Where the code ran."""

    container_id: str
    container_name: str
    image: str
    image_id: str
    runtime: str
    limits: ResolvedLimits
    isolation: Isolation | None = None
    isolation_fallback: str | None = None
    #: True when the code ran in a warm single-use container started before the action.
    pooled: bool | None = None


@dataclass(frozen=True, kw_only=True)
class ResourceUsage:
    """What the execution consumed and which limits it reached."""

    wall_ms: float
    cpu_ms: float | None
    peak_memory_bytes: float | None
    limits_hit: list[LimitKind]


@dataclass(frozen=True, kw_only=True)
class OutputFile:
    """A collected output file; its content is in the artifact store under ``sha256``."""

    path: str
    sha256: str
    bytes: int
    preview: str


@dataclass(frozen=True, kw_only=True)
class SkippedOutput:
    """A matching output path that was not collected, and why."""

    path: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class EgressAttempt:
    """One attempt of the code to reach the network through the egress proxy."""

    at: str
    method: str
    host: str
    port: int
    verdict: EgressVerdict
    reason: str | None = None
    address: str | None = None
    status: int | None = None
    bytes_sent: int
    bytes_received: int
    duration_ms: float
    #: The secret (by name, never its value) the proxy added to this request.
    credential: str | None = None
    #: The proxy terminated this tunnel's TLS to add a credential.
    intercepted: bool | None = None


@dataclass(frozen=True, kw_only=True)
class ExecutionAttempt:
    """One attempt at running an action: its own container, how far it got and how it ended."""

    attempt: int
    container_name: str
    container_id: str | None = None
    phase: AttemptPhase
    outcome: AttemptOutcome
    started_at: str | None = None
    ended_at: str | None = None
    egress_attempts: int | None = None
    note: str | None = None


@dataclass(frozen=True, kw_only=True)
class MaskedSecret:
    """Where a secret's value turned up in the output and was masked (never the value)."""

    name: str
    where: str
    occurrences: int


@dataclass(frozen=True, kw_only=True)
class CredentialUse:
    """A secret an action uses, the hosts it goes to, and how it is applied."""

    name: str
    hosts: list[str]
    applied: str


@dataclass(frozen=True, kw_only=True)
class ActionResult:
    """What the sandbox reports after the code ran."""

    #: None when the process never produced an exit status.
    exit_code: int | None
    stdout: CapturedOutput
    stderr: CapturedOutput
    timed_out: bool
    oom_killed: bool
    duration_ms: float
    sandbox: SandboxInfo
    usage: ResourceUsage | None = None
    output_files: list[OutputFile] | None = None
    skipped_outputs: list[SkippedOutput] | None = None
    egress: list[EgressAttempt] | None = None
    egress_omitted: int | None = None
    attempts: list[ExecutionAttempt] | None = None
    #: Set when a retry returned an earlier attempt's result instead of running the code again.
    picked_up_from_attempt: int | None = None
    masked_secrets: list[MaskedSecret] | None = None


@dataclass(frozen=True, kw_only=True)
class SlackMessageRef:
    """The Slack message that announced a pending approval."""

    channel: str
    ts: str


@dataclass(frozen=True, kw_only=True)
class Notification:
    """One announcement of a pending approval on a push channel."""

    channel: NotifyChannel
    stage: int
    at: str
    delivered: bool
    detail: str | None = None
    roles: list[str] | None = None
    slack: SlackMessageRef | None = None


@dataclass(frozen=True, kw_only=True)
class Action:
    """An action of a run, with its risk, decisions and result."""

    action_id: str
    language: Language
    task: str | None = None
    code: str
    code_sha256: str | None = None
    #: sha256 over everything the action runs (code, files, limits, allowlist): what a signed decision is bound to.
    content_sha256: str | None = None
    #: The input files placed in /workspace, each with its sha256.
    input_files: list[InputFileView] | None = None
    code_omitted: bool | None = None
    carried_over: bool | None = None
    status: ActionStatus
    submitted_at: str
    updated_at: str
    limits: ResolvedLimits
    network: NetworkGrant | None = None
    credentials: list[CredentialUse] | None = None
    isolation: Isolation | None = None
    risk: Risk | None = None
    decisions: list[Decision]
    required_approvals: int
    approval_deadline: str | None = None
    result: ActionResult | None = None
    #: Why the action could not run (sandbox error), when it failed without a result.
    error: str | None = None
    notifications: list[Notification] | None = None

    @property
    def is_final(self) -> bool:
        """Nothing more will happen to this action."""
        return self.status in FINAL_ACTION_STATUSES

    @property
    def succeeded(self) -> bool:
        """The code ran and exited with status 0."""
        return self.status == "succeeded"

    @property
    def denied(self) -> bool:
        """Denied by a person or the policy, or its approval wait timed out: no container was ever created."""
        return self.status in ("denied", "timed_out")

    @property
    def stdout(self) -> str:
        """The inline stdout text ('' when the action has not run)."""
        return self.result.stdout.text if self.result else ""

    @property
    def stderr(self) -> str:
        """The inline stderr text ('' when the action has not run)."""
        return self.result.stderr.text if self.result else ""

    @property
    def outcome(self) -> str:
        """One line on how the action ended, to hand back to a model: who denied it and why, or how it failed."""
        if self.status == "timed_out":
            return "timed_out: nobody decided in time, so the policy denied it"
        denial = self.denial
        if self.status == "denied" and denial is not None:
            who = f"the policy ({', '.join(denial.rule_ids or [])})" if denial.automatic else denial.approver
            return f"denied by {who}" + (f": {denial.reason}" if denial.reason else "")
        if self.status == "failed":
            if self.result is None:
                return f"failed: {self.error or 'no result'}"
            how = ", timed out" if self.result.timed_out else ", out of memory" if self.result.oom_killed else ""
            tail = self.result.stderr.text[-500:].strip()
            return f"failed (exit {self.result.exit_code}{how})" + (f": {tail}" if tail else "")
        return self.status

    @property
    def denial(self) -> Decision | None:
        """The decision that denied the action, when one did."""
        return next((d for d in reversed(self.decisions) if d.decision == "deny"), None)


@dataclass(frozen=True, kw_only=True)
class RunCallback:
    """The run's callback URL; ``refused`` says why the run's pinned policy does not let it push events there."""

    url: str
    refused: str | None = None


@dataclass(frozen=True, kw_only=True)
class IgnoredDecision:
    """A decision that could not count, with the reason: an ignored signal, or a refused update (``refusal`` set)."""

    action_id: str
    approver: str
    channel: str
    reason: str
    at: str
    decision: DecisionKind | None = None
    refusal: str | None = None


@dataclass(frozen=True, kw_only=True)
class Run:
    """A run (one agent's session) with every action."""

    run_id: str
    #: The run's first execution id (signed decisions name it).
    execution_id: str | None = None
    agent: str
    requester: str
    status: RunStatus
    highest_risk: RiskLevel | None = None
    closed: bool
    policy_version: str | None = None
    started_at: str
    closed_reason: str | None = None
    actions: list[Action]
    ignored_decisions: list[IgnoredDecision]
    callback: RunCallback | None = None

    def action(self, action_id: str) -> Action | None:
        """The action with this id, if the run has it."""
        return next((a for a in self.actions if a.action_id == action_id), None)

    @property
    def pending_actions(self) -> list[Action]:
        """Actions waiting for a human decision."""
        return [a for a in self.actions if a.status == "awaiting_approval"]


@dataclass(frozen=True, kw_only=True)
class RunSummary:
    """A run as listed by ``GET /v1/runs``."""

    run_id: str
    agent: str | None = None
    status: RunStatus | None = None
    highest_risk: RiskLevel | None = None
    awaiting_approval: bool
    workflow_status: str
    started_at: str
    closed_at: str | None = None


@dataclass(frozen=True, kw_only=True)
class RunList:
    """The answer of ``GET /v1/runs``."""

    runs: list[RunSummary]


@dataclass(frozen=True, kw_only=True)
class StartedRun:
    """The answer of ``POST /v1/runs``."""

    run_id: str
    requester: str


@dataclass(frozen=True, kw_only=True)
class SubmittedAction:
    """The answer of ``POST /v1/runs/{runId}/actions``."""

    action_id: str


@dataclass(frozen=True, kw_only=True)
class DecisionOutcome:
    """Where an action stands after a decision counted."""

    action_id: str
    status: str
    approvals: int
    required_approvals: int


@dataclass(frozen=True, kw_only=True)
class Artifact:
    """A stored output (full stdout/stderr, or a collected file) fetched by its sha256."""

    sha256: str
    bytes: int
    #: ``utf8``: ``content`` is the text itself; ``base64``: the bytes were not UTF-8 and ``content`` encodes them.
    encoding: Literal["utf8", "base64"]
    content: str

    @property
    def data(self) -> builtins.bytes:
        """The artifact's bytes, whichever way they travelled."""
        if self.encoding == "base64":
            return base64.b64decode(self.content, validate=True)
        return self.content.encode("utf-8")


@dataclass(frozen=True, kw_only=True)
class ErrorDetail:
    """The ``error`` object of every error answer."""

    code: ApiErrorCode
    message: str
    reason: str | None = None


#: Every model, in the order the drift test reports them.
MODELS: tuple[type, ...] = (
    Limits, NetworkRequest, ActionRequest, StartRunRequest, DecideRequest, ListRunsQuery,
    ResolvedLimits, NetworkGrant, Finding, Risk, Decision, CapturedOutput, SandboxInfo, ResourceUsage, OutputFile,
    SkippedOutput, EgressAttempt, ActionResult, SlackMessageRef, Notification, Action, IgnoredDecision, Run,
    RunSummary, RunList, StartedRun, SubmittedAction, DecisionOutcome, Artifact, ErrorDetail,
)
