"""Compares the SDK's models and operation table with an OpenAPI document; returns every mismatch as a sentence.

Rules, per model and schema object: each schema property is a model field and each model field a schema property
(under its wire name); a required property may be None in the model only when the schema allows null; an optional
property has a default in the model; types agree (string/str, Literal/enum with the same values, integer/int,
number/float, boolean/bool, array/list, record/dict, object/dataclass, recursively). Every model is reached from
some operation, every bearer operation of the document is one the SDK implements, and the operations that take an
Idempotency-Key header (and its length limit) are the ones the SDK sends keys to.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable
from typing import Any, Literal

from airlock_sdk._codec import json_name, type_hints, unwrap_optional
from airlock_sdk._http import IDEMPOTENCY_HEADER, IDEMPOTENT_OPERATIONS, MAX_IDEMPOTENCY_KEY_CHARS, OPERATIONS
from airlock_sdk import models as m

Json = dict[str, Any]


def _json_response(path: str, method: str, status: str) -> Callable[[Json], Any]:
    return lambda doc: doc["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]


def _json_request(path: str, method: str) -> Callable[[Json], Any]:
    return lambda doc: doc["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]


def _query(path: str, method: str) -> Callable[[Json], Any]:
    def locate(doc: Json) -> Json:
        parameters = [p for p in doc["paths"][path][method].get("parameters", []) if p.get("in") == "query"]
        return {
            "type": "object",
            "properties": {p["name"]: p["schema"] for p in parameters},
            "required": [p["name"] for p in parameters if p.get("required")],
        }

    return locate


#: Where each top-level model lives in the document; nested models are reached through their fields.
ROOTS: list[tuple[type, str, Callable[[Json], Any]]] = [
    (m.Run, "GET /v1/runs/{runId} 200", _json_response("/v1/runs/{runId}", "get", "200")),
    (m.RunList, "GET /v1/runs 200", _json_response("/v1/runs", "get", "200")),
    (m.ListRunsQuery, "GET /v1/runs query", _query("/v1/runs", "get")),
    (m.StartRunRequest, "POST /v1/runs body", _json_request("/v1/runs", "post")),
    (m.StartedRun, "POST /v1/runs 201", _json_response("/v1/runs", "post", "201")),
    (m.ActionRequest, "POST /v1/runs/{runId}/actions body", _json_request("/v1/runs/{runId}/actions", "post")),
    (m.SubmittedAction, "POST /v1/runs/{runId}/actions 201", _json_response("/v1/runs/{runId}/actions", "post", "201")),
    (m.DecideRequest, "POST decision body", _json_request("/v1/runs/{runId}/actions/{actionId}/decision", "post")),
    (m.DecisionOutcome, "POST decision 200", _json_response("/v1/runs/{runId}/actions/{actionId}/decision", "post", "200")),
    (m.Artifact, "GET /v1/artifacts/{sha256} 200", _json_response("/v1/artifacts/{sha256}", "get", "200")),
    (m.ErrorDetail, "ErrorResponse.error", lambda doc: doc["components"]["schemas"]["ErrorResponse"]["properties"]["error"]),
]

#: Bearer operations of the API the SDK leaves out on purpose (operationId → why).
NOT_IN_SDK: dict[str, str] = {
    "runEvents": "server-sent events stream; the SDK's waits poll GET /v1/runs/{runId} for now",
    "executeRun": "one request that holds until the run ends; the SDK's run_code starts and waits with per-request timeouts instead",
    "whoami": "token introspection for the CLI's login; agents know their own token",
    "createToken": "token administration is an operator's act (admin tokens), never an agent's",
    "listTokens": "token administration is an operator's act (admin tokens), never an agent's",
    "revokeToken": "token administration is an operator's act (admin tokens), never an agent's",
}

_SCALARS: dict[Any, str] = {str: "string", int: "integer", float: "number", bool: "boolean"}


class DriftChecker:
    def __init__(self, doc: Json) -> None:
        self.doc = doc
        self.problems: list[str] = []
        self.reached: set[type] = set()

    def resolve(self, schema: Any) -> Any:
        for _ in range(20):
            if not (isinstance(schema, dict) and isinstance(schema.get("$ref"), str)):
                return schema
            node: Any = self.doc
            for part in schema["$ref"].removeprefix("#/").split("/"):
                node = node[part.replace("~1", "/").replace("~0", "~")]
            schema = node
        return schema

    def split_nullable(self, schema: Any) -> tuple[Any, bool]:
        """(schema without its null alternative, whether null is allowed)."""
        schema = self.resolve(schema)
        if not isinstance(schema, dict):
            return schema, False
        for key in ("anyOf", "oneOf"):
            options = schema.get(key)
            if isinstance(options, list):
                rest = [o for o in options if self.resolve(o) != {"type": "null"}]
                if len(rest) < len(options):
                    return (rest[0] if len(rest) == 1 else {key: rest}), True
        kind = schema.get("type")
        if isinstance(kind, list) and "null" in kind:
            others = [k for k in kind if k != "null"]
            return {**schema, "type": others[0] if len(others) == 1 else others}, True
        return schema, False

    def check_model(self, cls: type, schema: Any, where: str) -> None:
        self.reached.add(cls)
        schema = self.resolve(schema)
        if not isinstance(schema, dict) or schema.get("type") != "object" or not isinstance(schema.get("properties"), dict):
            self.problems.append(f"{where}: model {cls.__name__} but the schema is not an object with properties")
            return
        properties: Json = schema["properties"]
        required = set(schema.get("required", []))
        hints = type_hints(cls)
        fields = {json_name(f): f for f in dataclasses.fields(cls)}
        for name in fields.keys() - properties.keys():
            self.problems.append(f"{where}.{name}: {cls.__name__}.{fields[name].name} is not in the OpenAPI schema")
        for name in properties.keys() - fields.keys():
            kind = "required" if name in required else "optional"
            self.problems.append(f"{where}.{name}: {kind} schema property missing from {cls.__name__}")
        for name in sorted(fields.keys() & properties.keys()):
            field = fields[name]
            base, optional = unwrap_optional(hints[field.name])
            prop, nullable = self.split_nullable(properties[name])
            has_default = field.default is not dataclasses.MISSING or field.default_factory is not dataclasses.MISSING
            at = f"{where}.{name}"
            if name in required:
                if optional and not nullable:
                    self.problems.append(f"{at}: required in the schema but {cls.__name__}.{field.name} allows None")
                if nullable and not optional:
                    self.problems.append(f"{at}: the schema allows null but {cls.__name__}.{field.name} does not allow None")
            elif not has_default:
                self.problems.append(f"{at}: optional in the schema but {cls.__name__}.{field.name} has no default")
            self.check_type(base, prop, at)

    def check_type(self, tp: Any, schema: Any, where: str) -> None:
        schema = self.resolve(schema)
        if tp is Any:
            return
        if not isinstance(schema, dict):
            self.problems.append(f"{where}: unreadable schema {schema!r}")
            return
        if dataclasses.is_dataclass(tp) and isinstance(tp, type):
            self.check_model(tp, schema, where)
            return
        origin = typing.get_origin(tp)
        kind = schema.get("type")
        if origin is list:
            if kind != "array":
                self.problems.append(f"{where}: the model has a list, the schema {kind!r}")
                return
            (item,) = typing.get_args(tp)
            self.check_type(item, schema.get("items", {}), f"{where}[]")
            return
        if origin is dict:
            values = schema.get("additionalProperties")
            if kind != "object" or not isinstance(values, dict):
                self.problems.append(f"{where}: the model has a dict, the schema is not a record")
                return
            self.check_type(typing.get_args(tp)[1], values, f"{where}{{}}")
            return
        enum = schema.get("enum")
        if origin is Literal:
            model_values = set(typing.get_args(tp))
            if not isinstance(enum, list):
                self.problems.append(f"{where}: the model has Literal{sorted(model_values)}, the schema no enum")
            elif model_values != set(enum):
                added, dropped = sorted(set(enum) - model_values), sorted(model_values - set(enum))
                self.problems.append(f"{where}: enum differs (the schema adds {added}, drops {dropped})")
            return
        expected = _SCALARS.get(tp)
        if expected is None:
            self.problems.append(f"{where}: the SDK cannot compare the model type {tp!r}")
        elif kind != expected:
            self.problems.append(f"{where}: the model has {tp.__name__} ({expected}), the schema {kind!r}")
        elif isinstance(enum, list):
            self.problems.append(f"{where}: the schema has an enum {enum}; the model should use a Literal")

    def check_operations(self, operations: dict[str, tuple[str, str]], keyed_operations: frozenset[str]) -> None:
        documented: dict[str, tuple[str, str]] = {}
        bearer: set[str] = set()
        for path, item in self.doc.get("paths", {}).items():
            for method, op in item.items():
                if isinstance(op, dict) and "operationId" in op:
                    documented[op["operationId"]] = (method.upper(), path)
                    if any("bearerAuth" in s for s in op.get("security", [])):
                        bearer.add(op["operationId"])
        self.check_idempotency(documented, keyed_operations)
        for op_id, route in operations.items():
            if documented.get(op_id) != route:
                self.problems.append(f"operation {op_id}: the SDK calls {route}, the document has {documented.get(op_id)}")
        for op_id in sorted(bearer - operations.keys() - NOT_IN_SDK.keys()):
            self.problems.append(
                f"operation {op_id} {documented[op_id]} is in the API but not in the SDK (add it, or list it in NOT_IN_SDK with a reason)"
            )

    def check_idempotency(self, documented: dict[str, tuple[str, str]], expected: frozenset[str]) -> None:
        keyed: dict[str, Any] = {}
        for op_id, (method, path) in documented.items():
            for parameter in self.doc["paths"][path][method.lower()].get("parameters", []):
                if parameter.get("in") == "header" and str(parameter.get("name")).lower() == IDEMPOTENCY_HEADER.lower():
                    keyed[op_id] = self.resolve(parameter.get("schema", {}))
        # Operations the SDK leaves out send no keys either.
        if keyed.keys() - NOT_IN_SDK.keys() != expected:
            self.problems.append(f"{IDEMPOTENCY_HEADER}: the document takes it on {sorted(keyed)}, the SDK sends it on {sorted(expected)}")
        for op_id, schema in sorted(keyed.items()):
            if schema.get("maxLength") != MAX_IDEMPOTENCY_KEY_CHARS:
                self.problems.append(f"{IDEMPOTENCY_HEADER} of {op_id}: at most {schema.get('maxLength')} characters, the SDK allows {MAX_IDEMPOTENCY_KEY_CHARS}")

    def check(
        self,
        roots: list[tuple[type, str, Callable[[Json], Any]]] = ROOTS,
        models: tuple[type, ...] = m.MODELS,
        operations: dict[str, tuple[str, str]] = OPERATIONS,
        keyed_operations: frozenset[str] = IDEMPOTENT_OPERATIONS,
    ) -> list[str]:
        for cls, where, locate in roots:
            try:
                schema = locate(self.doc)
            except (KeyError, TypeError, IndexError):
                self.problems.append(f"{where}: not in the OpenAPI document (model {cls.__name__})")
                continue
            self.check_model(cls, schema, where)
        for cls in models:
            if cls not in self.reached:
                self.problems.append(f"model {cls.__name__} is not reached from any operation of the document")
        self.check_operations(operations, keyed_operations)
        return self.problems


def drift_problems(doc: Json) -> list[str]:
    """Every way the SDK and ``doc`` disagree; empty when they are in step."""
    return DriftChecker(doc).check()
