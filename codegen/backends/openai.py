"""The OpenAI-compatible backend: the same prompts, sent to a server (vLLM, Ollama, llama.cpp
server, `ansible-codegen serve`) over the plain `/v1/completions` endpoint.

The prompt is continued raw (no chat template), greedily (temperature 0), with stop sequences
for the usual ends of a task; `end_of_task` is applied again here, so a server that ignores
`stop` gives the same text. The answer is streamed: time to first token is measured, a
cancelled request stops reading (the server sees the connection close), and the stream is cut
as soon as the task has ended. Whatever comes back then goes through the same parse /
normalise / validate pipeline as a local generation.

The local constraint (schema-guided decoding) needs the logits at every step, which the
completions API does not expose. Engines that constrain decoding themselves get a grammar instead
(codegen/grounding/grammar.py, built from the catalog for the modules in play) when a constraint
is passed: llama.cpp (llama-server, llama-cpp-python) as the `grammar` field, vLLM as
`structured_outputs: {"grammar": ...}` (`guided_grammar` before vLLM 0.10.2: grammar mode
"vllm-guided"). The engine is recognised from GET /v1/models (`owned_by`); one without grammar
support (Ollama, `ansible-codegen serve`, unknown) is named once on stderr and the answer is
unconstrained. Either way the answer is parsed, validated and repaired locally afterwards.

Standard library only (urllib), so the client adds no dependency.
"""
from __future__ import annotations

import json
import os
import socket
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Callable

from codegen.config import API_KEY_ENV
from codegen.backends.base import Generation, end_of_task
from codegen.grounding.grammar_resume import first_repeat, written_state
from codegen.model.load import ModelError

# Where a task usually ends: the next list item, a document marker, a comment at column 0.
# (OpenAI's own API takes at most four; `end_of_task` catches any other column-0 line.)
STOP = ["\n- ", "\n---", "\n...", "\n#"]
DEFAULT_MAX_TOKENS = 200
MAX_RESUMES = 3  # continuations after the answer began to repeat itself (all within the token budget)
GRAMMAR_ENV = "ANSIBLE_CODEGEN_GRAMMAR"  # auto (default) | off | llama.cpp | vllm | vllm-guided
GRAMMAR_MODES = ("auto", "off", "llama.cpp", "vllm", "vllm-guided")
# GET /v1/models' owned_by -> the engine's grammar dialect
ENGINES = {"llamacpp": "llama.cpp", "me": "llama.cpp", "vllm": "vllm"}
_TOLD: set[str] = set()  # servers already named as taking no grammar (said once per process)


def grammar_body(mode: str, grammar: str) -> dict:
    """The request fields that carry a GBNF grammar to each engine."""
    if mode == "llama.cpp":
        return {"grammar": grammar}
    if mode == "vllm":
        return {"structured_outputs": {"grammar": grammar}}
    if mode == "vllm-guided":
        return {"guided_grammar": grammar}
    return {}


@dataclass
class _Part:
    """What one completion request streamed back."""
    started: float
    text: str = ""
    first: float = 0.0
    chunks: int = 0
    finish: str | None = None
    stop_reason: object = None
    stopped: str | None = None
    usage: dict | None = None


class BackendError(ModelError):
    """A remote completion that failed; the message is one line naming the server."""


class BackendUnavailable(BackendError):
    """Nothing answered at the URL (connection refused, unknown host)."""


class BackendTimeout(BackendError):
    """The server took longer than the timeout."""


class BackendProtocolError(BackendError):
    """The server answered, but not with a usable completion (HTTP error, malformed JSON, missing fields)."""


def api_base(url: str) -> str:
    """'http://h:8000', 'http://h:8000/', 'http://h:8000/v1' -> 'http://h:8000/v1'."""
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise ValueError(f"--url {url!r}: an OpenAI-compatible server URL must start with http:// or https://")
    base = url.rstrip("/")
    for suffix in ("/completions", "/chat/completions"):
        if base.endswith("/v1" + suffix):
            base = base[: -len(suffix)]
    return base if base.endswith("/v1") else base + "/v1"


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


class OpenAIBackend:
    supports_constraints = False  # the local (logits) constraint; a grammar stands in for it, see above

    def __init__(self, url: str, model: str, timeout: float = 60.0, max_new_tokens: int = DEFAULT_MAX_TOKENS,
                 api_key: str | None = None, stop: list[str] | None = None, grammar: str | None = None):
        grammar = grammar or os.environ.get(GRAMMAR_ENV, "").strip() or "auto"
        if grammar not in GRAMMAR_MODES:
            raise ValueError(f"${GRAMMAR_ENV}={grammar!r}: use one of {', '.join(GRAMMAR_MODES)}")
        self.grammar_mode = grammar
        if not model:
            raise ValueError("--backend openai needs --model (the model name on the server)")
        if timeout is None or timeout <= 0:
            raise ValueError(f"timeout must be a positive number of seconds, not {timeout!r}")
        self.base = api_base(url)
        self.model, self.timeout, self.max_new_tokens = model, float(timeout), max_new_tokens
        self.stop = list(STOP if stop is None else stop)
        if api_key is None:
            api_key = os.environ.get(API_KEY_ENV)
            if api_key is None:
                from codegen.config import backend_options

                try:
                    api_key = backend_options().get("api_key")
                except ValueError:
                    api_key = None  # a broken config file is reported where it is read for options
        self.api_key = api_key
        self.info = {"backend": "openai", "url": self.base, "model": model}
        # $http_proxy is honoured, as any HTTP client does, except for this machine's own servers.
        host = urllib.parse.urlsplit(self.base).hostname or ""
        loopback = host == "localhost" or host.startswith("127.") or host == "::1"
        handlers = [urllib.request.ProxyHandler({})] if loopback else []
        self._opener = urllib.request.build_opener(*handlers)

    def source_index_path(self):
        """The shipped adapter's training-example index: the remote model is the same tuned model,
        so its prompts show the same retrieved examples as local ones."""
        from codegen.backends.local import LocalBackend

        return LocalBackend().source_index_path()

    # -- grammar -------------------------------------------------------------------------------
    def engine(self) -> str | None:
        """The engine's dialect ("llama.cpp", "vllm"; None: unknown), found once from GET /v1/models."""
        if "engine" not in self.info:
            owner = None
            try:
                with self._request("/models") as response:
                    payload = self._json(response.read(1 << 20))
                data = payload.get("data") if isinstance(payload, dict) else None
                owners = [m.get("owned_by") for m in data or [] if isinstance(m, dict)]
                owner = next((o for o in owners if isinstance(o, str)), None)
            except BackendError:
                pass  # the completion itself will say what is wrong with the server
            self.info["engine"] = ENGINES.get(owner or "")
            self._owner = owner
        return self.info["engine"]

    def engine_grammar(self) -> str | None:
        """The grammar dialect to send (None: none), by the mode or the engine found."""
        if self.grammar_mode != "auto":
            return None if self.grammar_mode == "off" else self.grammar_mode
        return self.engine()

    def _tell_no_grammar(self) -> None:
        """Once per server and process, after a completion came back (an error stays one line)."""
        if self.base in _TOLD:
            return
        _TOLD.add(self.base)
        owner = getattr(self, "_owner", None)
        engine = f"an engine owned by {owner!r}" if owner else "an unrecognised engine"
        print(f"ansible-codegen: note: {self.base} is {engine} with no grammar support known here: answers "
              "are not constrained while written (they are still checked and repaired)", file=sys.stderr)

    def engine_fields(self) -> dict:
        """Settings an engine needs to decode as the local model does: llama.cpp's completion
        endpoints apply a repeat penalty (1.1 in llama-cpp-python) unless told not to, which
        changes greedy answers (a task repeats words: `name: nginx`, `nginx.conf`)."""
        if self.grammar_mode in ("llama.cpp",) or (self.grammar_mode in ("auto", "off") and self.engine() == "llama.cpp"):
            return {"repeat_penalty": 1.0}
        return {}

    def grammar_for(self, prompt: str, constraint, written=None) -> dict:
        """The grammar fields for this completion ({} when the engine or the caller wants none);
        `written`: what the answer already holds (the grammar of its continuation)."""
        checker = getattr(constraint, "checker", None)
        if checker is None:
            return {}
        mode = self.engine_grammar()
        if mode is None:
            return {}
        from codegen.grounding.grammar import request_of, task_grammar

        grammar = task_grammar(checker.catalog, prompt, request_of(prompt), handlers=checker.handlers, written=written)
        self.last_grammar = grammar
        return grammar_body(mode, grammar)

    # -- transport -----------------------------------------------------------------------------
    def _request(self, path: str, body: dict | None = None):
        data = None if body is None else json.dumps(body).encode()
        headers = {"Accept": "text/event-stream, application/json", "User-Agent": "ansible-codegen"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        request = urllib.request.Request(self.base + path, data=data, headers=headers,
                                         method="GET" if data is None else "POST")
        try:
            return self._opener.open(request, timeout=self.timeout)
        except urllib.error.HTTPError as exc:
            raise BackendProtocolError(self._http_error(exc)) from exc
        except urllib.error.URLError as exc:
            raise self._connection_error(exc.reason) from exc
        except (TimeoutError, socket.timeout) as exc:
            raise self._timeout() from exc
        except (ConnectionError, OSError) as exc:
            raise self._connection_error(exc) from exc

    def _http_error(self, exc: urllib.error.HTTPError) -> str:
        detail = ""
        try:
            raw = exc.read(4096).decode("utf-8", "replace")
            try:
                payload = json.loads(raw)
                error = payload.get("error") if isinstance(payload, dict) else None
                detail = error.get("message") if isinstance(error, dict) else (error or payload.get("detail") or raw)
            except (json.JSONDecodeError, AttributeError):
                detail = raw
        except Exception:  # the body is only decoration for the message
            pass
        hint = ""
        if exc.code == 404:
            hint = f" (is {self.model!r} a model on this server? see {self.base}/models)"
        elif exc.code in (401, 403):
            hint = f" (set ${API_KEY_ENV} or api_key in the config file)"
        return f"server {self.base} answered HTTP {exc.code}{': ' + _short(detail) if detail else ''}{hint}"

    def _connection_error(self, reason) -> BackendError:
        if isinstance(reason, (TimeoutError, socket.timeout)):
            return self._timeout()
        if isinstance(reason, ConnectionRefusedError):
            return BackendUnavailable(f"cannot connect to {self.base}: connection refused (is the server running?)")
        if isinstance(reason, socket.gaierror):
            return BackendUnavailable(f"cannot connect to {self.base}: unknown host")
        text = getattr(reason, "strerror", None) or str(reason) or reason.__class__.__name__
        return BackendUnavailable(f"cannot connect to {self.base}: {_short(text)}")

    def _timeout(self) -> BackendTimeout:
        return BackendTimeout(f"server {self.base} did not answer within {self.timeout:g} s "
                              "(raise timeout in the config file, or check the server)")

    def _malformed(self, what: str) -> BackendProtocolError:
        return BackendProtocolError(f"server {self.base} sent a malformed completion: {what}")

    # -- API -------------------------------------------------------------------------------------
    def models(self) -> list[str]:
        """The model names the server offers (GET /v1/models)."""
        with self._request("/models") as response:
            payload = self._json(response.read())
        data = payload.get("data") if isinstance(payload, dict) else None
        if not isinstance(data, list):
            raise self._malformed("no 'data' list in /v1/models")
        return [m.get("id") for m in data if isinstance(m, dict) and isinstance(m.get("id"), str)]

    def _json(self, raw: bytes):
        try:
            return json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise self._malformed(f"not JSON ({_short(raw[:120].decode('utf-8', 'replace')) or 'empty body'})") from exc

    def _choice(self, payload) -> tuple[str, str | None, object]:
        """(text, finish_reason, stop_reason) of choice 0; raises on anything else."""
        if not isinstance(payload, dict):
            raise self._malformed("the answer is not a JSON object")
        if "error" in payload and payload["error"]:
            error = payload["error"]
            message = error.get("message") if isinstance(error, dict) else error
            raise BackendProtocolError(f"server {self.base} reported an error: {_short(message)}")
        choices = payload.get("choices")
        if not isinstance(choices, list):
            raise self._malformed("no 'choices' list")
        if not choices:
            return "", None, None  # a usage-only chunk at the end of a stream
        choice = choices[0]
        if not isinstance(choice, dict) or not isinstance(choice.get("text"), str):
            raise self._malformed("choices[0] has no 'text' string (is this a chat-only endpoint?)")
        return choice["text"], choice.get("finish_reason"), choice.get("stop_reason")

    def complete(self, prompt: str, constraint=None, cancelled: Callable[[], bool] | None = None,
                 on_text: Callable[[str], None] | None = None) -> Generation:
        # a constraint becomes a grammar where the engine takes one: see the module docstring
        fields = self.grammar_for(prompt, constraint)
        started = time.perf_counter()
        deadline = time.monotonic() + self.timeout
        text, first, chunks, budget = "", 0.0, 0, self.max_new_tokens
        for resumes in range(MAX_RESUMES + 1):
            body = {"model": self.model, "prompt": prompt + text, "max_tokens": budget, "temperature": 0,
                    "stop": self.stop, "stream": True, "stream_options": {"include_usage": True},
                    **self.engine_fields(), **fields}
            written = text  # the rounds before this one: on_text sees the whole answer so far
            part = self._stream(body, deadline, cancelled, watch=bool(fields),
                                on_text=(lambda so_far: on_text(written + so_far)) if on_text is not None else None)
            first = first or (part.first and part.first + part.started - started)
            text, chunks, budget = text + part.text, chunks + part.chunks, budget - max(part.chunks, 1)
            if part.stopped != "repeat" or resumes == MAX_RESUMES or budget <= 0:
                break
            # the answer began to repeat itself: go on from before the repeat, under a grammar that
            # no longer offers what is written (codegen/grounding/grammar_resume.py)
            fields = self.grammar_for(prompt, constraint, written_state(text))
        stopped = "max_tokens" if part.stopped == "repeat" else part.stopped
        usage = part.usage if resumes == 0 else None  # the rounds' own counts do not add up to the answer's
        generation = self._generation(text, part.finish, part.stop_reason, stopped, usage, chunks, started, first)
        if constraint is not None and self.grammar_mode == "auto" and self.info.get("engine") is None:
            self._tell_no_grammar()
        return generation

    def _stream(self, body: dict, deadline: float, cancelled, watch: bool, on_text=None) -> "_Part":
        """One completion request, read to its end, to the end of the task, or (watch) to the first
        line that repeats the answer (that line and what follows are left out)."""
        part = _Part(started=time.perf_counter())
        response = self._request("/completions", body)
        try:
            streaming = response.headers.get_content_type() == "text/event-stream"
            if not streaming:  # a server that ignores "stream": one JSON document
                payload = self._json(self._read_all(response, deadline))
                part.text, part.finish, part.stop_reason = self._choice(payload)
                part.first = time.perf_counter() - part.started
                part.usage = payload.get("usage")
                part.chunks = 1 if part.text else 0
                if watch and (cut := first_repeat(part.text)) is not None:
                    part.text, part.stopped = part.text[:cut], "repeat"
                return part
            for line in self._lines(response, deadline):
                if not line.startswith("data:"):
                    continue  # SSE comments, event names, keep-alives
                data = line[5:].strip()
                if data == "[DONE]":
                    break
                try:
                    payload = json.loads(data)
                except json.JSONDecodeError as exc:
                    raise self._malformed(f"a stream event is not JSON ({_short(data[:120])})") from exc
                piece, reason, stop_str = self._choice(payload)
                if isinstance(payload.get("usage"), dict):
                    part.usage = payload["usage"]
                if piece:
                    if not part.first:
                        part.first = time.perf_counter() - part.started
                    part.text += piece
                    part.chunks += 1
                    if on_text is not None:
                        on_text(part.text)
                if reason:
                    part.finish, part.stop_reason = reason, stop_str
                if end_of_task(part.text) is not None:
                    part.stopped = "end_of_task"
                    break  # closing the connection tells the server to stop
                if watch and piece and "\n" in piece and (cut := first_repeat(part.text)) is not None:
                    part.text, part.stopped = part.text[:cut], "repeat"
                    break
                if cancelled is not None and cancelled():
                    part.stopped = "cancelled"
                    break
        finally:
            response.close()
        return part

    def _generation(self, text, finish, stop_reason, stopped, usage, chunks, started, first) -> Generation:
        if stopped is None:
            if finish == "length":
                stopped = "max_tokens"
            elif finish == "stop":
                # A matched stop string is not part of the text; every one of ours starts with
                # the newline that ends the task's last line, so put that newline back. (Servers
                # that do not say which stop matched get it too: harmless after an EOS.)
                if text and not text.endswith("\n"):
                    text += "\n"
                stopped = "end_of_task" if isinstance(stop_reason, str) else "eos"
            elif finish is None:
                raise self._malformed("the stream ended without a finish_reason")
            else:
                stopped = "eos"
        cut = end_of_task(text)
        if cut is not None:
            text, stopped = text[:cut], "end_of_task"
        usage = usage if isinstance(usage, dict) else {}
        new_tokens = usage.get("completion_tokens")
        prompt_tokens = usage.get("prompt_tokens")
        return Generation(text=text, new_tokens=new_tokens if isinstance(new_tokens, int) else chunks,
                          prompt_tokens=prompt_tokens if isinstance(prompt_tokens, int) else 0,
                          seconds=time.perf_counter() - started, first_token_seconds=first, stopped=stopped)

    def _lines(self, response, deadline: float):
        while True:
            if time.monotonic() > deadline:
                raise self._timeout()
            try:
                raw = response.readline(1 << 20)
            except (TimeoutError, socket.timeout) as exc:
                raise self._timeout() from exc
            except (ConnectionError, OSError) as exc:
                raise BackendProtocolError(f"server {self.base} dropped the connection mid-answer") from exc
            if not raw:
                return
            try:
                yield raw.decode("utf-8").strip("\r\n")
            except UnicodeDecodeError as exc:
                raise self._malformed("the stream is not UTF-8") from exc

    def _read_all(self, response, deadline: float) -> bytes:
        parts = []
        while True:
            if time.monotonic() > deadline:
                raise self._timeout()
            try:
                block = response.read(1 << 16)
            except (TimeoutError, socket.timeout) as exc:
                raise self._timeout() from exc
            except (ConnectionError, OSError) as exc:
                raise BackendProtocolError(f"server {self.base} dropped the connection mid-answer") from exc
            if not block:
                return b"".join(parts)
            parts.append(block)
