"""A minimal HTTP/1.1 exchange over asyncio streams: one request per connection (``Connection: close``), body by
Content-Length, chunked transfer coding, or up to the end of the stream."""

from __future__ import annotations

import asyncio
import ssl

from ._http import Endpoint, HttpRequest, HttpResponse
from .errors import AirlockConnectionError

#: Larger answers are refused rather than buffered (a run with many actions stays far below this).
MAX_RESPONSE_BYTES = 64 * 1024 * 1024
MAX_HEADER_LINES = 200


def encode_request(request: HttpRequest) -> bytes:
    lines = [f"{request.method} {request.target} HTTP/1.1"]
    lines += [f"{name}: {value}" for name, value in request.headers.items()]
    lines.append("Connection: close")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    return head + (request.body or b"")


async def read_http_response(reader: asyncio.StreamReader) -> HttpResponse:
    """Reads one response; raises AirlockConnectionError on anything malformed or cut short."""
    try:
        status_line = (await reader.readline()).decode("latin-1").rstrip("\r\n")
        parts = status_line.split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not parts[1].isdigit():
            raise AirlockConnectionError(f"not an HTTP response: {status_line[:80]!r}")
        status = int(parts[1])
        headers: dict[str, str] = {}
        for _ in range(MAX_HEADER_LINES):
            line = (await reader.readline()).decode("latin-1").rstrip("\r\n")
            if not line:
                break
            name, sep, value = line.partition(":")
            if not sep:
                raise AirlockConnectionError(f"malformed header line {line[:80]!r}")
            headers[name.strip().lower()] = value.strip()
        else:
            raise AirlockConnectionError("too many header lines")
        if "chunked" in headers.get("transfer-encoding", "").lower():
            body = await _read_chunked(reader)
        elif "content-length" in headers:
            length = int(headers["content-length"])
            if length > MAX_RESPONSE_BYTES:
                raise AirlockConnectionError(f"response of {length} bytes is larger than the SDK accepts")
            body = await reader.readexactly(length)
        else:
            body = await reader.read(MAX_RESPONSE_BYTES + 1)
            if len(body) > MAX_RESPONSE_BYTES:
                raise AirlockConnectionError("response larger than the SDK accepts")
        return HttpResponse(status, headers, body)
    except asyncio.IncompleteReadError as err:
        raise AirlockConnectionError("the connection closed before the response was complete") from err
    except ValueError as err:
        raise AirlockConnectionError(f"malformed HTTP response: {err}") from err


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    body = bytearray()
    while True:
        size_line = (await reader.readline()).decode("latin-1").strip()
        if not size_line:
            raise asyncio.IncompleteReadError(bytes(body), None)
        size = int(size_line.split(";", 1)[0], 16)
        if size == 0:
            # Trailer fields, then the empty line that ends the message.
            while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                pass
            return bytes(body)
        if len(body) + size > MAX_RESPONSE_BYTES:
            raise AirlockConnectionError("response larger than the SDK accepts")
        body += await reader.readexactly(size)
        await reader.readexactly(2)


async def exchange(endpoint: Endpoint, request: HttpRequest, timeout: float, ssl_context: ssl.SSLContext | None) -> HttpResponse:
    """Connects, sends ``request``, reads the answer, closes; the whole exchange is bounded by ``timeout``."""
    where = f"{endpoint.scheme}://{endpoint.host_header}"
    try:
        return await asyncio.wait_for(_exchange(endpoint, request, ssl_context), timeout)
    except asyncio.TimeoutError as err:
        raise AirlockConnectionError(f"no answer from Airlock at {where} within {timeout:g} s") from err
    except OSError as err:
        raise AirlockConnectionError(f"no answer from Airlock at {where}: {err}") from err


async def _exchange(endpoint: Endpoint, request: HttpRequest, ssl_context: ssl.SSLContext | None) -> HttpResponse:
    tls = (ssl_context or ssl.create_default_context()) if endpoint.scheme == "https" else None
    reader, writer = await asyncio.open_connection(endpoint.host, endpoint.port, ssl=tls)
    try:
        writer.write(encode_request(request))
        await writer.drain()
        return await read_http_response(reader)
    finally:
        writer.close()
        try:
            await writer.wait_closed()
        except OSError:
            pass
