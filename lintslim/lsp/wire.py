"""The server's end of the wire: JSON-RPC frames from a client that may send anything, and one-line logs.

pygls's own read loop trusts the framing: a `Content-Length` that is not a number, too small or too
large loses every later message (the rest of one body is read as the next header), an absurd one
makes it allocate that much and die, and a request whose params do not fit their type is dropped
without an answer, so the client waits for ever.  `FrameReader` finds the next frame again after
such damage, `LintslimProtocol` answers a malformed request with an InvalidParams error, and
`one_line_logging` keeps tracebacks (and document text quoted in pygls's messages) off stderr.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import threading
from collections.abc import Mapping
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import IO, Any

from lsprotocol import types as lsp
from pygls.protocol import JsonRPCNotification, JsonRPCRequestMessage, JsonRPCResponseMessage, LanguageServerProtocol

_log = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 64 * 1024 * 1024  # a 4 MiB Dockerfile (the CLI's limit) escaped as JSON stays well below
_HEADER_END = b"\r\n\r\n"
_GARBAGE_KEPT = 256  # when no header ends in a long stretch of bytes, only its tail can begin the next one
_MAX_HEADER_BYTES = 64 * 1024
_CONTENT_LENGTH = re.compile(rb"Content-Length:[ \t]*(\d+)[ \t]*(?:\r\n|$)", re.IGNORECASE)
_MARKER = b"content-length:"
_LOG_LINE_LIMIT = 300
_SHORT_ARGUMENT = 80  # longer log arguments are not shown: pygls passes whole messages and documents


def content_length(header: bytes) -> int | None:
    """The length the last `Content-Length` line of a header block gives; None without a valid one.

    The last one, and searched anywhere in a line: what comes before it is what a body shorter than
    its announced length left behind.
    """
    lengths = [int(match.group(1)) for match in _CONTENT_LENGTH.finditer(header)]
    return lengths[-1] if lengths else None


class FrameReader:
    """Splits a blocking byte stream (the server's standard input) into message bodies.

    `next_body` blocks, so the server calls it on a worker thread.  Header blocks without a usable
    `Content-Length` are skipped with a warning; so is a length over `MAX_MESSAGE_BYTES` (the bytes
    that follow are then read as headers until a frame starts again).  `unread` puts bytes back: a
    body that does not parse but holds the start of a frame was cut from a later message.
    """

    def __init__(self, stream: IO[bytes], chunk_size: int = 64 * 1024) -> None:
        self._stream = stream
        self._read_some = getattr(stream, "read1", stream.read)  # read1: what is there, without waiting for more
        self._chunk_size = chunk_size
        self._buffer = bytearray()
        self._at_eof = False

    def next_body(self) -> bytes | None:
        """The next message body; None at the end of the stream."""
        while True:
            header = self._next_header()
            if header is None:
                return None
            length = content_length(header)
            if length is None:
                if header.strip():
                    _log.warning("skipped %d bytes of headers without a valid Content-Length", len(header))
                continue
            if length > MAX_MESSAGE_BYTES:
                _log.warning(
                    "skipped a header announcing %d bytes (the limit is %d MiB)", length, MAX_MESSAGE_BYTES >> 20
                )
                continue
            body = self._take(length)
            if len(body) < length:
                _log.warning("the stream ended %d bytes into a %d-byte message", len(body), length)
                return None
            return body

    def unread(self, data: bytes) -> None:
        self._buffer[:0] = data

    def _next_header(self) -> bytes | None:
        searched = 0
        while (end := self._buffer.find(_HEADER_END, searched)) < 0:
            if self._at_eof:
                return None
            searched = max(0, len(self._buffer) - len(_HEADER_END) + 1)
            if len(self._buffer) > _MAX_HEADER_BYTES:  # garbage: keep the tail, where a header may be starting
                del self._buffer[: len(self._buffer) - _GARBAGE_KEPT]
                searched = 0
            self._fill()
        header = bytes(self._buffer[:end])
        del self._buffer[: end + len(_HEADER_END)]
        return header

    def _fill(self) -> None:
        data = self._read_some(self._chunk_size)
        if data:
            self._buffer += data
        else:
            self._at_eof = True

    def _take(self, length: int) -> bytes:
        """`length` bytes (fewer at the end of the stream), the buffered ones first."""
        if len(self._buffer) < length and not self._at_eof:
            rest = self._stream.read(length - len(self._buffer))  # blocks until all of it (or the end) came
            self._at_eof = len(rest) < length - len(self._buffer)
            self._buffer += rest
        body = bytes(self._buffer[:length])
        del self._buffer[:length]
        return body


def decode_body(body: bytes, reader: FrameReader) -> dict[str, Any] | None:
    """The JSON object in a body; None (logged in one line) when it is not one."""
    try:
        data = json.loads(body)
    except ValueError as error:  # UnicodeDecodeError is one too
        marker = body.lower().find(_MARKER)
        if marker >= 0:  # the announced length ran into the next message: read that one again
            reader.unread(body[marker:])
        _log.warning("ignored a %d-byte message that is not valid JSON (%s)", len(body), type(error).__name__)
        return None
    if not isinstance(data, dict):
        _log.warning("ignored a message that is a JSON %s, not an object", type(data).__name__)
        return None
    return data


@dataclass(frozen=True)
class Rejected:
    """A message whose content does not fit its method's types: answered (if a request) with an error."""

    id: int | str | None  # None for a notification, or a request with no usable id
    method: str
    reason: str


def _valid_id(value: object) -> int | str | None:
    return value if isinstance(value, (int, str)) and not isinstance(value, bool) else None


class LintslimProtocol(LanguageServerProtocol):
    """pygls's protocol, answering malformed requests instead of dropping them, and logging in one line."""

    def structure_message(self, data: dict[str, Any]) -> Any:
        if "jsonrpc" not in data:
            return data
        method = data.get("method")
        if "method" in data and not isinstance(method, str):
            return Rejected(_valid_id(data.get("id")), repr(method)[:40], "the method is not a string")
        try:
            return self._converter.structure(data, self._message_type(data))
        except Exception as error:  # cattrs says which field, in a tree of exceptions: one line will do
            return Rejected(_valid_id(data.get("id")), str(method), f"params do not fit ({type(error).__name__})")

    def _message_type(self, data: Mapping[str, Any]) -> Any:
        if "id" in data and "error" in data:
            return lsp.ResponseErrorMessage
        if "id" in data and "method" in data:
            return self.get_message_type(data["method"]) or JsonRPCRequestMessage
        if "id" in data:
            identifier = data["id"]
            hashable = isinstance(identifier, (int, str))
            return (self._result_types.pop(identifier, None) if hashable else None) or JsonRPCResponseMessage
        return self.get_message_type(data.get("method", "")) or JsonRPCNotification

    def handle_message(self, message: Any) -> None:
        if isinstance(message, Rejected):
            _log.warning("rejected %s: %s", message.method, message.reason)
            if message.id is not None:
                error = lsp.ResponseError(lsp.ErrorCodes.InvalidParams, f"Invalid params: {message.reason}")
                self._send_response(message.id, error=error)
            return
        if not hasattr(message, "jsonrpc"):
            _log.warning("ignored a message without `jsonrpc`")
            return
        super().handle_message(message)


async def serve_messages(
    reader: FrameReader, protocol: LintslimProtocol, stop: threading.Event, pool: Executor
) -> None:
    """Read and handle messages until the stream ends or the server stops.

    One frame is read at a time (on `pool`), so after the `exit` notification no read is left
    blocking a thread.  A handler's `SystemExit` (pygls's `exit`) ends the loop.
    """
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        body = await loop.run_in_executor(pool, reader.next_body)
        if body is None:
            return
        data = decode_body(body, reader)
        if data is None:
            continue
        try:
            protocol.handle_message(protocol.structure_message(data))
        except Exception as error:  # pygls's own failures: this message is lost, the server goes on
            _log.error("could not handle a message (%s)", type(error).__name__)


class OneLineFormatter(logging.Formatter):
    """`lintslim server: warning: <first line of the message>`: no traceback, no document text.

    pygls puts whole messages and params in some of its log lines (a document, a secret in it):
    an argument that is not a number or a short string without spaces is shown as `<…>`.
    """

    def format(self, record: logging.LogRecord) -> str:
        lines = _message(record).strip().splitlines()
        message = lines[0] if lines else ""
        if record.exc_info and record.exc_info[1] is not None:
            message += f" ({type(record.exc_info[1]).__name__})"  # its text may quote the document
        if len(message) > _LOG_LINE_LIMIT:
            message = message[:_LOG_LINE_LIMIT] + "…"
        return f"lintslim server: {record.levelname.lower()}: {message}"


def _message(record: logging.LogRecord) -> str:
    args = record.args
    if not isinstance(args, tuple) or not args:
        return str(record.msg)
    shown = tuple(arg if _short(arg) else "<…>" for arg in args)
    try:
        return str(record.msg) % shown
    except (TypeError, ValueError):  # a format that wanted what was replaced (`%d`)
        return str(record.msg)


def _short(value: object) -> bool:
    """A number, or a word-like string: a method name, a message id, a URI (never document text)."""
    if isinstance(value, str):
        return len(value) <= _SHORT_ARGUMENT and not any(char.isspace() for char in value)
    return isinstance(value, (int, float))


def one_line_logging(stream: IO[str]) -> logging.Handler:
    """Send warnings and errors (pygls's and lintslim's) to `stream`, one line each."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(OneLineFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    return handler
