"""Requests, answers, errors, retries and waits, without a server (a closed loopback port stands in for a dead one)."""

from __future__ import annotations

import asyncio
import itertools
import socket
import unittest

from airlock_sdk import (
    AirlockClient,
    AirlockConnectionError,
    ApiError,
    AsyncAirlockClient,
    AuthError,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    ProtocolError,
    RateLimitedError,
    RetryPolicy,
    ServerError,
    ValidationError,
)
from airlock_sdk._async_http import encode_request, read_http_response
from airlock_sdk._http import HttpResponse, build_request, parse_base_url, read_response
from airlock_sdk._polling import PollSchedule
from airlock_sdk.errors import error_for_response


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def error_body(code: str, message: str, reason: str | None = None) -> dict:
    return {"error": {"code": code, "message": message, **({"reason": reason} if reason else {})}}


class ErrorMappingTest(unittest.TestCase):
    def test_each_status_has_its_error_class(self) -> None:
        cases = [(400, ValidationError), (401, AuthError), (403, ForbiddenError), (404, NotFoundError), (409, ConflictError),
                 (429, RateLimitedError), (503, ServerError), (500, ServerError), (418, ApiError)]
        for status, cls in cases:
            error = error_for_response(status, error_body("x", f"message {status}"), None)
            self.assertIs(type(error), cls, status)
            self.assertEqual((error.status, error.message), (status, f"message {status}"))

    def test_the_servers_reason_and_retry_after_are_kept(self) -> None:
        forbidden = error_for_response(403, error_body("forbidden", "own action", "self_approval"), None)
        self.assertEqual(forbidden.reason, "self_approval")
        self.assertIn("own action", str(forbidden))
        limited = error_for_response(429, error_body("rate_limited", "slow down"), "7")
        assert isinstance(limited, RateLimitedError)
        self.assertEqual(limited.retry_after, 7.0)
        self.assertIsNone(error_for_response(429, {}, "Wed, 21 Oct 2026 07:28:00 GMT").retry_after)  # type: ignore[attr-defined]

    def test_a_body_that_is_not_the_error_shape_still_gives_a_typed_error(self) -> None:
        with self.assertRaises(ServerError) as proxy:
            read_response(HttpResponse(502, {}, b"<html>bad gateway</html>"))
        self.assertIn("bad gateway", proxy.exception.message)
        with self.assertRaises(ProtocolError):
            read_response(HttpResponse(200, {}, b"not json"))
        self.assertEqual(read_response(HttpResponse(201, {}, b'{"runId":"r"}')), {"runId": "r"})


class RequestTest(unittest.TestCase):
    endpoint = parse_base_url("http://127.0.0.1:8080/prefix/")

    def test_idempotency_key_travels_as_a_header_and_is_checked(self) -> None:
        request = build_request(self.endpoint, "tok", "startRun", body={"agent": "a"}, idempotency_key="key-1")
        self.assertEqual(request.headers["Idempotency-Key"], "key-1")
        self.assertEqual((request.method, request.target), ("POST", "/prefix/v1/runs"))
        self.assertEqual(request.headers["Authorization"], "Bearer tok")
        self.assertNotIn("Idempotency-Key", build_request(self.endpoint, "tok", "startRun", body={}).headers)
        build_request(self.endpoint, "tok", "startRun", body={}, idempotency_key="x" * 200)
        for bad in ("", "has space", "line\nbreak", "x" * 201):
            with self.assertRaises(ValueError, msg=repr(bad)):
                build_request(self.endpoint, "tok", "startRun", body={}, idempotency_key=bad)
        with self.assertRaisesRegex(ValueError, "decide takes no idempotency key"):
            build_request(self.endpoint, "tok", "decide", params={"runId": "r", "actionId": "a1"}, body={}, idempotency_key="k")

    def test_path_parameters_are_encoded_and_empty_query_values_dropped(self) -> None:
        request = build_request(self.endpoint, "tok", "decide", params={"runId": "run/../x", "actionId": "a1"}, body={})
        self.assertEqual(request.target, "/prefix/v1/runs/run%2F..%2Fx/actions/a1/decision")
        listed = build_request(self.endpoint, "tok", "listRuns", query={"status": None, "pending": "true", "limit": 5})
        self.assertEqual(listed.target, "/prefix/v1/runs?pending=true&limit=5")
        with self.assertRaises(ValueError):
            build_request(self.endpoint, "tok", "getRun", params={"runId": ""})

    def test_bad_base_urls_and_tokens_are_refused_up_front(self) -> None:
        for url in ("ftp://x", "127.0.0.1:8080", "http://x/?q=1"):
            with self.assertRaises(ValueError, msg=url):
                AirlockClient(url, "tok")
        for token in ("", "two words", "tok\r\nX-Evil: 1"):
            with self.assertRaises(ValueError, msg=repr(token)):
                AirlockClient("http://127.0.0.1:1", token)
        self.assertNotIn("secret-token", repr(AirlockClient("http://127.0.0.1:1", "secret-token")))


class RetryAndPollTest(unittest.TestCase):
    def test_retry_rules(self) -> None:
        policy = RetryPolicy(max_retries=2, base_delay=0.5, max_delay=10)
        limited = RateLimitedError(429, "rate_limited", "m", retry_after=3)
        lost = AirlockConnectionError("reset")
        unavailable = ServerError(503, "unavailable", "temporal down")
        self.assertEqual(policy.delay(limited, 0, "POST", False), 3, "a 429 was refused before anything happened")
        self.assertIsNone(policy.delay(RateLimitedError(429, "r", "m", retry_after=60), 0, "GET", False), "longer than max_delay")
        self.assertEqual(policy.delay(lost, 1, "GET", False), 1.0)
        self.assertEqual(policy.delay(unavailable, 0, "POST", True), 0.5, "a keyed POST may be repeated")
        self.assertIsNone(policy.delay(lost, 0, "POST", False), "an unkeyed POST is never sent twice")
        self.assertIsNone(policy.delay(ServerError(500, "internal", "m"), 0, "GET", False))
        self.assertIsNone(policy.delay(ValidationError(400, "invalid_request", "m"), 0, "GET", False))
        self.assertIsNone(policy.delay(lost, 2, "GET", False), "attempts are bounded")

    def test_poll_pauses_grow_to_their_maximum(self) -> None:
        delays = list(itertools.islice(PollSchedule(initial=0.2, factor=2, maximum=1).delays(), 5))
        self.assertEqual(delays, [0.2, 0.4, 0.8, 1, 1])


class ConnectionTest(unittest.TestCase):
    def test_an_unreachable_server_is_a_connection_error(self) -> None:
        client = AirlockClient(f"http://127.0.0.1:{closed_port()}", "tok", retry=RetryPolicy(max_retries=1, base_delay=0.01))
        with self.assertRaisesRegex(AirlockConnectionError, "no answer from Airlock at http://127.0.0.1:"):
            client.get_run("run-1")

    def test_the_async_client_says_the_same(self) -> None:
        client = AsyncAirlockClient(f"http://127.0.0.1:{closed_port()}", "tok", retry=RetryPolicy(max_retries=0))
        with self.assertRaises(AirlockConnectionError):
            asyncio.run(client.list_runs())


class AsyncHttpTest(unittest.TestCase):
    def read(self, raw: bytes) -> HttpResponse:
        async def go() -> HttpResponse:
            reader = asyncio.StreamReader()
            reader.feed_data(raw)
            reader.feed_eof()
            return await read_http_response(reader)

        return asyncio.run(go())

    def test_content_length_chunked_and_until_eof(self) -> None:
        plain = self.read(b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
        self.assertEqual((plain.status, plain.headers["content-type"], plain.body), (201, "application/json", b"{}"))
        chunked = self.read(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{\"a\"\r\n3;ext=1\r\n:1}\r\n0\r\n\r\n")
        self.assertEqual(chunked.body, b'{"a":1}')
        eof = self.read(b"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 3\r\n\r\nbody")
        self.assertEqual((eof.status, eof.headers["retry-after"], eof.body), (429, "3", b"body"))

    def test_a_cut_or_garbled_answer_is_a_connection_error(self) -> None:
        for raw in (b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", b"SSH-2.0-OpenSSH\r\n\r\n",
                    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", b"HTTP/1.1 200 OK\r\nno colon\r\n\r\n"):
            with self.assertRaises(AirlockConnectionError, msg=raw):
                self.read(raw)

    def test_the_request_is_one_http_1_1_message(self) -> None:
        request = build_request(parse_base_url("http://h:81"), "tok", "startRun", body={"agent": "é"})
        raw = encode_request(request)
        head, _, body = raw.partition(b"\r\n\r\n")
        self.assertTrue(head.startswith(b"POST /v1/runs HTTP/1.1\r\n"))
        self.assertIn(b"Host: h:81", head)
        self.assertIn(b"Connection: close", head)
        self.assertIn(f"Content-Length: {len(body)}".encode(), head)
        self.assertEqual(body.decode("utf-8"), '{"agent": "é"}')
