"""The drift checker notices each kind of drift (no server needed: small hand-made schemas)."""

from __future__ import annotations

import unittest
from dataclasses import dataclass
from typing import Literal

from openapi_drift import DriftChecker


@dataclass(kw_only=True)
class Inner:
    level: Literal["low", "high"]


@dataclass(kw_only=True)
class Sample:
    run_id: str
    count: int
    ratio: float
    exit_code: int | None
    note: str | None = None
    tags: list[str]
    files: dict[str, str] | None = None
    inner: Inner


def schema(**changes: object) -> dict:
    properties: dict = {
        "runId": {"type": "string"},
        "count": {"type": "integer"},
        "ratio": {"type": "number"},
        "exitCode": {"anyOf": [{"type": "integer"}, {"type": "null"}]},
        "note": {"type": "string"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "files": {"type": "object", "additionalProperties": {"type": "string"}},
        "inner": {"$ref": "#/components/schemas/Inner"},
    }
    required = ["runId", "count", "ratio", "exitCode", "tags", "inner"]
    for name, value in changes.items():
        if value is None:
            properties.pop(name)
            if name in required:
                required.remove(name)
        else:
            properties[name] = value
    return {"type": "object", "properties": properties, "required": required}


def problems(root: dict, inner_enum: list[str] | None = None) -> list[str]:
    doc = {
        "paths": {},
        "components": {"schemas": {"Inner": {"type": "object", "properties": {"level": {"type": "string", "enum": inner_enum or ["low", "high"]}}, "required": ["level"]}}},
    }
    return DriftChecker(doc).check([(Sample, "Sample", lambda _doc: root)], models=(Sample, Inner), operations={}, keyed_operations=frozenset())


class DriftRulesTest(unittest.TestCase):
    def test_a_matching_schema_has_no_problems(self) -> None:
        self.assertEqual(problems(schema()), [])

    def test_a_new_property_is_drift_required_or_not(self) -> None:
        required = schema(extra={"type": "string"})
        required["required"].append("extra")
        self.assertEqual(problems(required), ["Sample.extra: required schema property missing from Sample"])
        self.assertEqual(problems(schema(extra={"type": "string"})), ["Sample.extra: optional schema property missing from Sample"])

    def test_a_model_field_the_schema_lost_is_drift(self) -> None:
        self.assertEqual(problems(schema(note=None)), ["Sample.note: Sample.note is not in the OpenAPI schema"])

    def test_type_changes_are_drift(self) -> None:
        self.assertEqual(problems(schema(count={"type": "number"})), ["Sample.count: the model has int (integer), the schema 'number'"])
        self.assertEqual(problems(schema(tags={"type": "string"})), ["Sample.tags: the model has a list, the schema 'string'"])
        self.assertEqual(problems(schema(tags={"type": "array", "items": {"type": "integer"}})), ["Sample.tags[]: the model has str (string), the schema 'integer'"])
        self.assertEqual(problems(schema(exitCode={"type": "integer"})), ["Sample.exitCode: required in the schema but Sample.exit_code allows None"])

    def test_enum_changes_are_drift_even_in_nested_models(self) -> None:
        self.assertEqual(problems(schema(), inner_enum=["low", "high", "extreme"]), ["Sample.inner.level: enum differs (the schema adds ['extreme'], drops [])"])
        self.assertEqual(problems(schema(runId={"type": "string", "enum": ["a"]})), ["Sample.runId: the schema has an enum ['a']; the model should use a Literal"])

    def test_requiredness_must_agree(self) -> None:
        loosened = schema()
        loosened["required"].remove("count")
        self.assertEqual(problems(loosened), ["Sample.count: optional in the schema but Sample.count has no default"])

    def test_a_missing_operation_or_unreached_model_is_drift(self) -> None:
        doc = {"paths": {"/v1/things": {"get": {"operationId": "listThings", "security": [{"bearerAuth": []}]}}}}
        found = DriftChecker(doc).check(
            [], models=(Inner,), operations={"getRun": ("GET", "/v1/runs/{runId}")}, keyed_operations=frozenset({"startRun"})
        )
        self.assertIn("model Inner is not reached from any operation of the document", found)
        self.assertIn("operation listThings ('GET', '/v1/things') is in the API but not in the SDK (add it, or list it in NOT_IN_SDK with a reason)", found)
        self.assertIn("operation getRun: the SDK calls ('GET', '/v1/runs/{runId}'), the document has None", found)
        self.assertIn("Idempotency-Key: the document takes it on [], the SDK sends it on ['startRun']", found)
