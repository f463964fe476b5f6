"""The models and operation table agree with the live server's OpenAPI document."""

from __future__ import annotations

from airlock_sdk import AirlockClient

from live import LiveTestCase
from openapi_drift import drift_problems


class OpenApiDriftTest(LiveTestCase):
    def test_models_match_the_served_openapi_document(self) -> None:
        doc = AirlockClient(self.env.url, self.env.agent_token).openapi()
        self.assertTrue(str(doc.get("openapi", "")).startswith("3."), "the server serves an OpenAPI 3 document")
        problems = drift_problems(doc)
        self.assertEqual(problems, [], "the SDK's models drifted from the API:\n" + "\n".join(problems))
