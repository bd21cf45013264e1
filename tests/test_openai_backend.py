"""The openai backend against real servers on loopback.

The real server is `ansible-codegen serve` (standard-library HTTP server, the tiny random model):
started here as a subprocess on a free port. Why not `llama-cpp-python[server]`: it builds
llama.cpp from source on install (about 11 minutes on this CI's 2 cores), and would test
llama.cpp's server rather than ours; `serve` is a shipped feature, so testing against it tests
both ends. Failure modes (a server that sleeps, a closed port, malformed answers) use tiny stub
servers in this file. Everything binds 127.0.0.1; every wait is bounded.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from codegen.backends.openai import (BackendProtocolError, BackendTimeout, BackendUnavailable, OpenAIBackend,
                                     api_base)

BIN = str(Path(sys.executable).parent / "ansible-codegen")
MODEL = "ansible-codegen"


def _env(tmp_path: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("ANSIBLE_CODEGEN_CONFIG", "ANSIBLE_CODEGEN_API_KEY")}
    env["XDG_CONFIG_HOME"] = str(tmp_path / "no-config")  # a developer's own config must not leak in
    env.update(extra)
    return env


def run_cli(tmp_path: Path, *args, timeout: float = 300, **env):
    return subprocess.run([BIN, *args], capture_output=True, text=True, timeout=timeout, env=_env(tmp_path, **env))


def free_port() -> int:
    """A port nothing listens on (bound, then closed: connecting to it is refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- the real server -------------------------------------------------------------------------------
class Served(str):
    """The server's URL (a str), with its stderr log beside it."""
    log: Path


MAX_PROMPT_TOKENS = 256  # under the tiny model's context (512), so that this cap is the one reached


def start_serve(tiny_model_dir, folder: Path, *extra: str) -> tuple[subprocess.Popen, Served]:
    """`ansible-codegen serve` on 127.0.0.1, any free port (--port 0), the tiny model; stderr to a log."""
    log = folder / "serve.log"
    with open(log, "w") as err:
        proc = subprocess.Popen([BIN, "serve", "--host", "127.0.0.1", "--port", "0", "--base", str(tiny_model_dir),
                                 "--adapter", "none", "--quiet", "--max-prompt-tokens", str(MAX_PROMPT_TOKENS), *extra],
                                stdout=subprocess.DEVNULL, stderr=err, env=_env(folder))
    url = None
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and proc.poll() is None:
        for word in log.read_text().split():
            if word.startswith("http://127.0.0.1:"):
                url = word
        if url:
            break
        time.sleep(0.2)
    if url is None:
        proc.kill()
        pytest.fail(f"serve did not start: {log.read_text()[-2000:]}")
    served = Served(url)
    served.log = log
    return proc, served


@pytest.fixture(scope="module")
def served(tiny_model_dir, tmp_path_factory):
    proc, url = start_serve(tiny_model_dir, tmp_path_factory.mktemp("serve"))
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=30)


NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback only, whatever $http_proxy says


def post(url: str, body, path: str = "/completions", raw: bytes | None = None, headers: dict | None = None):
    data = raw if raw is not None else json.dumps(body).encode()
    request = urllib.request.Request(url + path, data=data, method="POST",
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with NO_PROXY.open(request, timeout=60) as response:
            return response.status, response.headers.get_content_type(), response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get_content_type(), exc.read().decode()


def test_models_endpoint_lists_the_served_model(served):
    assert OpenAIBackend(served, MODEL, timeout=30).models() == [MODEL]
    with NO_PROXY.open(served.removesuffix("/v1") + "/health", timeout=30) as response:
        assert json.loads(response.read()) == {"status": "ok"}


def test_remote_completion_is_the_local_completion(served, tiny_model_dir):
    """Same weights, same greedy loop: the server's answer, cut by the client, is what the local backend writes."""
    from codegen.backends.local import LocalBackend

    prompt = "- name: Install nginx\n"
    local = LocalBackend(base=str(tiny_model_dir), adapter="none").complete(prompt)
    seen = []
    remote = OpenAIBackend(served, MODEL, timeout=60).complete(prompt, on_text=seen.append)
    assert remote.text == local.text
    # on_text saw the answer grow chunk by chunk (the last chunk may run past the task's end)
    assert seen and all(b.startswith(a) for a, b in zip(seen, seen[1:])) and seen[-1].startswith(remote.text)
    assert remote.stopped == local.stopped
    assert remote.prompt_tokens == local.prompt_tokens and remote.new_tokens >= 1
    assert 0 < remote.first_token_seconds <= remote.seconds


def test_stop_strings_streamed_and_whole(served):
    status, _, body = post(served, {"model": MODEL, "prompt": "- name: Copy file\n", "max_tokens": 40})
    assert status == 200
    answer = json.loads(body)
    text = answer["choices"][0]["text"]
    assert answer["choices"][0]["finish_reason"] == "length" and answer["usage"]["completion_tokens"] == 40
    stop = next((text[i:i + 3] for i in range(5, len(text) - 3) if "\ufffd" not in text[i:i + 3]), None)
    if stop is None:
        pytest.skip("the random model wrote no plain 3-character run to stop at")
    expected = text[:text.index(stop)]
    status, _, body = post(served, {"model": MODEL, "prompt": "- name: Copy file\n", "max_tokens": 40, "stop": [stop]})
    choice = json.loads(body)["choices"][0]
    assert (choice["text"], choice["finish_reason"], choice["stop_reason"]) == (expected, "stop", stop)
    status, kind, body = post(served, {"model": MODEL, "prompt": "- name: Copy file\n", "max_tokens": 40,
                                       "stop": stop, "stream": True, "stream_options": {"include_usage": True}})
    assert status == 200 and kind == "text/event-stream"
    events = [line[6:] for line in body.splitlines() if line.startswith("data: ")]
    assert events[-1] == "[DONE]"
    chunks = [json.loads(e) for e in events[:-1]]
    assert "".join(c["choices"][0]["text"] for c in chunks if c["choices"]) == expected
    assert [c["choices"][0]["finish_reason"] for c in chunks if c["choices"]][-1] == "stop"
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"]["completion_tokens"] >= 1


@pytest.mark.parametrize("body, status, message", [
    ({"model": "nope", "prompt": "x"}, 404, "does not exist"),
    ({"model": MODEL}, 400, "prompt must be"),
    ({"model": MODEL, "prompt": [1, 2, 3]}, 400, "token-id prompts"),
    ({"model": MODEL, "prompt": "x", "max_tokens": 0}, 400, "max_tokens"),
    ({"model": MODEL, "prompt": "x", "max_tokens": 10 ** 6}, 400, "max_tokens"),
    ({"model": MODEL, "prompt": "x", "stop": [""]}, 400, "stop"),
    ({"model": MODEL, "prompt": "x", "n": 2}, 400, "n > 1"),
    ({"model": MODEL, "prompt": "x", "logprobs": 3}, 400, "logprobs"),
    ([1, 2], 400, "JSON object"),
])
def test_bad_requests_get_openai_shaped_errors(served, body, status, message):
    code, kind, text = post(served, body)
    error = json.loads(text)["error"]
    assert (code, kind) == (status, "application/json")
    assert message in error["message"] and set(error) == {"message", "type", "param", "code"}


def test_unparseable_body_and_unknown_paths(served):
    code, _, text = post(served, None, raw=b"{oops")
    assert code == 400 and "not valid JSON" in json.loads(text)["error"]["message"]
    code, _, text = post(served, {"model": MODEL, "messages": []}, path="/chat/completions")
    assert code == 404 and "/v1/completions" in json.loads(text)["error"]["message"]
    code, _, _ = post(served, {}, path="/nowhere")
    assert code == 404


DEEP = b"[" * 100_000 + b"]" * 100_000


@pytest.mark.parametrize("raw, status, message", [
    (DEEP, 400, "nested too deeply"),
    (b'{"model": "ansible-codegen", "prompt": "\\ud800 x"}', 400, "lone surrogate"),
    (b'{"prompt": "x", "stop": ["\\udfff"]}', 400, "lone surrogate"),
    (b'{"prompt": "x", "max_tokens": 1' + b"0" * 5000 + b"}", 400, "not valid JSON"),
    (b'{"prompt": "caf\xe9"}', 400, "not UTF-8"),
    (b"not json at all", 400, "not valid JSON"),
    (json.dumps({"prompt": "x" * 100_000}).encode(), 400, "the cap is 65536"),
    (json.dumps({"prompt": ["x"] * 17}).encode(), 400, "the cap is 16"),
    (json.dumps({"prompt": "name: " * 400}).encode(), 400, f"this server's cap is {MAX_PROMPT_TOKENS}"),
    (b"x" * (2 << 20), 413, "the cap is 1048576"),
])
def test_hostile_bodies_get_a_400_naming_the_problem(served, raw, status, message):
    """Each was a 500 (RecursionError, the tokenizer's TypeError, int's ValueError) or had no cap."""
    started = time.monotonic()
    code, kind, text = post(served, None, raw=raw)
    error = json.loads(text)["error"]
    assert (code, kind) == (status, "application/json") and message in error["message"], error
    assert set(error) == {"message", "type", "param", "code"} and time.monotonic() - started < 10
    assert post(served, {"prompt": "- name: x\n", "max_tokens": 2})[0] == 200  # the next request is served


@pytest.mark.parametrize("content_type", ["text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded",
                                          "multipart/form-data; boundary=x", None])
def test_posts_must_be_application_json(served, content_type):
    """A web page can send text/plain and form POSTs to loopback without asking (no CORS preflight):
    only application/json is served, which a page cannot send cross-origin without a preflight."""
    body = json.dumps({"prompt": "- name: x\n", "max_tokens": 2}).encode()
    headers = {"Content-Type": content_type} if content_type else {}
    request = urllib.request.Request(served + "/completions", data=body, method="POST", headers=headers)
    if content_type is None:
        request.remove_header("Content-type")  # urllib adds a form type to any body
        assert not request.has_header("Content-type")
    try:
        with NO_PROXY.open(request, timeout=60) as response:
            status, text = response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        status, text = exc.code, exc.read().decode()
    assert status == 415 and "must be application/json" in json.loads(text)["error"]["message"]
    assert post(served, None, raw=body, headers={"Content-Type": "application/json; charset=utf-8"})[0] == 200


def _send_raw(url: str, data: bytes, read: int = 0, reset: bool = True, wait: float = 0.0) -> None:
    """Send bytes to the server, read a little of the answer, then leave (with an RST when reset)."""
    host, port = url.split("//", 1)[1].split("/", 1)[0].rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(data)
        if read:
            sock.recv(read)
        time.sleep(wait)
        if reset:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")


def _raw_post(body: dict) -> bytes:
    data = json.dumps(body).encode()
    return (b"POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n" % len(data)) + data


def test_clients_that_leave_mid_answer_leave_no_traceback(served):
    """Clients that hang up mid-stream, mid-body, mid-request-line or while waiting: the server says
    nothing on stderr (it printed socketserver's traceback of ConnectionResetError/BrokenPipeError)
    and serves the next request."""
    before = served.log.read_text()
    for _ in range(3):
        _send_raw(served, _raw_post({"prompt": "- name: x\n", "max_tokens": 300, "stream": True}), read=200)
        _send_raw(served, _raw_post({"prompt": "- name: x\n", "max_tokens": 300})[:-5])
        _send_raw(served, _raw_post({"prompt": "- name: x\n", "max_tokens": 300}), wait=0.05)
        _send_raw(served, b"POST /v1/compl")
        _send_raw(served, _raw_post({"prompt": "- name: x\n", "max_tokens": 300, "stream": True}), read=200,
                  reset=False)
    assert post(served, {"prompt": "- name: x\n", "max_tokens": 2})[0] == 200
    time.sleep(0.5)  # a handler thread still writing its traceback
    after = served.log.read_text()
    assert after == before, after[len(before):][-3000:]


def test_a_stalled_client_is_dropped_after_the_timeout(tiny_model_dir, monkeypatch, capfd):
    """A client that sends half a body and waits held a server thread forever; now TIMEOUT frees it,
    silently."""
    from codegen.serving import server as serving

    monkeypatch.setattr(serving.Handler, "timeout", 1)
    server = serving.CompletionServer(("127.0.0.1", 0), None, MODEL, quiet=True)  # no model: never reached
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        with socket.create_connection(server.server_address[:2], timeout=30) as sock:
            sock.sendall(_raw_post({"prompt": "- name: x\n"})[:-3])
            started = time.monotonic()
            assert sock.recv(100) == b""  # closed by the server, no answer
            assert time.monotonic() - started < 10
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
    assert capfd.readouterr().err == ""


def test_long_prefill_runs_in_chunks_and_stops_between_them(tiny_model_dir, monkeypatch):
    """`serve` stops generating when its client leaves; a long prompt's prefill (minutes for a
    30k-token prompt on a CPU) stops too: it runs in PREFILL_CHUNK pieces, checking in between."""
    from codegen.backends.local import LocalBackend
    from codegen.model import generate
    from codegen.model.generate import Decoding

    # no prefix cache: the second run would reuse the first's prompt and prefill nothing
    generator = LocalBackend(base=str(tiny_model_dir), adapter="none", lookup=False, prefix_cache=False).load()
    ids = generator.encode("- name: Install nginx\n  ansible.builtin.package:\n" * 12)
    whole = Decoding(prompt_tokens=len(ids))
    expected = [token for token, _ in generator.steps(ids, 8, run=whole)]
    monkeypatch.setattr(generate, "PREFILL_CHUNK", 32)
    assert len(ids) > 3 * 32
    chunked = Decoding(prompt_tokens=len(ids))
    assert [token for token, _ in generator.steps(ids, 8, run=chunked, cancelled=lambda: False)] == expected
    assert chunked.forwards == whole.forwards + (len(ids) - 1) // 32  # float32: same tokens, more passes
    calls = []
    stopped = Decoding(prompt_tokens=len(ids))
    assert list(generator.steps(ids, 8, run=stopped, cancelled=lambda: calls.append(1) or True)) == []
    assert stopped.stopped == "cancelled" and stopped.forwards == 1 and len(calls) == 1


def test_concurrent_requests_take_turns(served):
    answers = []

    def ask():
        answers.append(post(served, {"model": MODEL, "prompt": "- name: Start nginx\n", "max_tokens": 20}))

    threads = [threading.Thread(target=ask) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(answers) == 3 and all(status == 200 for status, _, _ in answers)
    assert len({json.loads(body)["choices"][0]["text"] for _, _, body in answers}) == 1


def test_cancelled_request_stops_early(served):
    calls = []
    result = OpenAIBackend(served, MODEL, timeout=60).complete("- name: Install nginx\n",
                                                              cancelled=lambda: calls.append(1) or True)
    assert result.stopped == "cancelled" and len(calls) == 1


def test_task_command_runs_the_pipeline_on_the_answer(served, tmp_path):
    result = run_cli(tmp_path, "task", "install nginx", "--backend", "openai", "--url", served, "--model", MODEL,
                     "--json", "--no-lint")
    assert result.returncode in (0, 1), result.stderr
    record = json.loads(result.stdout)
    assert set(record) >= {"id", "yaml", "module", "valid", "problems", "seconds"}
    # random weights: junk text, which the pipeline must have parsed and reported, not crashed on
    assert record["yaml"] or any(p.startswith("error [parse]") for p in record["problems"])


def test_batch_command_against_the_server(served, tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": "a", "prompt": "install nginx"}\n{"id": "b", "prompt": "start nginx"}\n')
    out = tmp_path / "out.jsonl"
    result = run_cli(tmp_path, "batch", str(src), "-o", str(out), "--backend", "openai", "--url", served,
                     "--model", MODEL, "--no-lint")
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert result.returncode == (0 if all(r["valid"] for r in records) else 1), result.stderr  # 1: a task failed
    assert [r["id"] for r in records] == ["a", "b"]
    for record in records:
        assert record["yaml"] or any(p.startswith("error [parse]") for p in record["problems"])
        assert not any("[generate]" in p for p in record["problems"])


def test_served_with_an_api_key(tiny_model_dir):
    """In process: the same server class, with a key."""
    from codegen.backends.local import LocalBackend
    from codegen.serving.server import CompletionServer, Engine

    backend = LocalBackend(base=str(tiny_model_dir), adapter="none")
    server = CompletionServer(("127.0.0.1", 0), Engine(backend.load()), MODEL, info=backend.info,
                              api_key="s3cret", quiet=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        with pytest.raises(BackendProtocolError, match="HTTP 401"):
            OpenAIBackend(server.url, MODEL, timeout=30, api_key="wrong").complete("- name: x\n")
        assert OpenAIBackend(server.url, MODEL, timeout=30, api_key="s3cret").models() == [MODEL]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


# -- stub servers for the failure modes -----------------------------------------------------------
class Stub:
    """A loopback HTTP server answering POST /v1/completions the way `mode` says."""

    def __init__(self, mode: str):
        self.mode, self.release = mode, threading.Event()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):  # noqa: N802
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                stub.answer(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def answer(self, handler):
        def send(status, kind, body: bytes):
            handler.send_response(status)
            handler.send_header("Content-Type", kind)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)

        if self.mode == "sleep":
            self.release.wait(timeout=60)  # bounded, and released at teardown
            return
        if self.mode == "not_json":
            return send(200, "application/json", b"<html>oops</html>")
        if self.mode == "no_choices":
            return send(200, "application/json", b'{"id": "x", "object": "text_completion"}')
        if self.mode == "choice_without_text":
            return send(200, "application/json", b'{"choices": [{"index": 0, "message": {"content": "hi"}}]}')
        if self.mode == "http_500":
            return send(500, "application/json", b'{"error": {"message": "CUDA out of memory"}}')
        if self.mode == "bad_event":
            return send(200, "text/event-stream", b'data: {"choices": [{"text": "  ansible.builtin.pa\n\ndata: {oops\n\n')
        if self.mode == "cut_stream":
            return send(200, "text/event-stream",
                        b'data: {"choices": [{"index": 0, "text": "  ansible.builtin.package:\\n", '
                        b'"finish_reason": null}]}\n\n')
        if self.mode == "good_whole":  # a server that ignores "stream": one JSON answer
            body = {"choices": [{"index": 0, "text": "  ansible.builtin.package:\n    name: nginx\n",
                                 "finish_reason": "stop"}], "usage": {"prompt_tokens": 7, "completion_tokens": 12}}
            return send(200, "application/json", json.dumps(body).encode())
        raise AssertionError(self.mode)

    def close(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


@pytest.fixture
def stub(request):
    servers = []

    def start(mode):
        servers.append(Stub(mode))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def test_timeout_is_a_clear_error(stub):
    server = stub("sleep")
    started = time.monotonic()
    with pytest.raises(BackendTimeout, match=r"did not answer within 1 s"):
        OpenAIBackend(server.url, MODEL, timeout=1).complete("- name: Install nginx\n")
    assert time.monotonic() - started < 10


def test_connection_refused_is_a_clear_error():
    with pytest.raises(BackendUnavailable, match="connection refused"):
        OpenAIBackend(f"http://127.0.0.1:{free_port()}", MODEL, timeout=5).complete("- name: x\n")


@pytest.mark.parametrize("mode, message", [
    ("not_json", "malformed completion: not JSON"),
    ("no_choices", "no 'choices' list"),
    ("choice_without_text", "no 'text' string"),
    ("http_500", "HTTP 500: CUDA out of memory"),
    ("bad_event", "stream event is not JSON"),
    ("cut_stream", "ended without a finish_reason"),
])
def test_malformed_answers_are_clear_errors(stub, mode, message):
    server = stub(mode)
    with pytest.raises(BackendProtocolError, match=message) as caught:
        OpenAIBackend(server.url, MODEL, timeout=10).complete("- name: Install nginx\n")
    assert "\n" not in str(caught.value) and server.url in str(caught.value)


def test_a_server_that_ignores_stream_still_works(stub):
    result = OpenAIBackend(stub("good_whole").url, MODEL, timeout=10).complete("- name: Install nginx\n")
    assert result.text == "  ansible.builtin.package:\n    name: nginx\n"
    assert (result.new_tokens, result.prompt_tokens, result.stopped) == (12, 7, "eos")


def test_batch_records_the_error_per_case_on_timeout(stub, catalog, tmp_path):
    """In process (the CLI takes its timeout from the config file): one whole record per case."""
    from codegen.batch import run_batch
    from codegen.pipeline import Pipeline

    server = stub("sleep")
    out = tmp_path / "out.jsonl"
    cases = [{"id": "a", "prompt": "install nginx"}, {"id": "b", "prompt": "start nginx"}]
    started = time.monotonic()
    assert run_batch(Pipeline(OpenAIBackend(server.url, MODEL, timeout=1), catalog, lint=False), cases, out)
    assert time.monotonic() - started < 30
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in records] == ["a", "b"]
    for record in records:
        assert record["yaml"] == "" and record["valid"] is False
        assert any("BackendTimeout" in p and "did not answer within 1 s" in p for p in record["problems"])


def test_task_command_connection_refused_is_one_line_exit_2(tmp_path):
    result = run_cli(tmp_path, "task", "install nginx", "--backend", "openai", "--url",
                     f"http://127.0.0.1:{free_port()}", "--model", MODEL, "--no-lint")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.strip().count("\n") == 0 and "connection refused" in result.stderr
    assert "Traceback" not in result.stderr


def test_task_command_malformed_answer_is_one_line_exit_2(stub, tmp_path):
    result = run_cli(tmp_path, "task", "install nginx", "--backend", "openai", "--url", stub("no_choices").url,
                     "--model", MODEL, "--no-lint")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.strip().count("\n") == 0 and "no 'choices' list" in result.stderr


def test_batch_command_connection_refused_writes_whole_records(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": "a", "prompt": "install nginx"}\n{"id": "b", "prompt": "start nginx"}\n')
    out = tmp_path / "out.jsonl"
    result = run_cli(tmp_path, "batch", str(src), "-o", str(out), "--backend", "openai", "--url",
                     f"http://127.0.0.1:{free_port()}", "--model", MODEL, "--no-lint")
    assert result.returncode == 1, result.stderr  # every record written, each failed
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in records] == ["a", "b"]
    assert all(r["yaml"] == "" and "connection refused" in r["problems"][0] for r in records)


def _cli_reads_config() -> bool:
    import codegen.cli

    return "backend_options" in Path(codegen.cli.__file__).read_text()


@pytest.mark.skipif(not _cli_reads_config(), reason="codegen/cli.py does not read the config file yet")
def test_config_file_sets_backend_and_timeout(stub, tmp_path):
    server = stub("sleep")
    config = tmp_path / "config.toml"
    config.write_text(f'[backend]\nkind = "openai"\nurl = "{server.url}"\nmodel = "{MODEL}"\ntimeout = 1\n')
    started = time.monotonic()
    result = run_cli(tmp_path, "task", "install nginx", "--no-lint", ANSIBLE_CODEGEN_CONFIG=str(config))
    assert time.monotonic() - started < 120
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.strip().count("\n") == 0 and "did not answer within 1 s" in result.stderr


# -- units: URL and config ------------------------------------------------------------------------------
@pytest.mark.parametrize("given, expected", [
    ("http://h:8000", "http://h:8000/v1"), ("http://h:8000/", "http://h:8000/v1"),
    ("http://h:8000/v1", "http://h:8000/v1"), ("https://h/v1/completions", "https://h/v1"),
    ("http://h:11434/v1/", "http://h:11434/v1"),
])
def test_api_base(given, expected):
    assert api_base(given) == expected


def test_bad_url_is_a_value_error():
    with pytest.raises(ValueError, match="http://"):
        OpenAIBackend("localhost:8000", MODEL)


def test_backend_options_precedence(tmp_path, monkeypatch):
    from codegen.config import backend_options, config_path

    monkeypatch.delenv("ANSIBLE_CODEGEN_CONFIG", raising=False)
    monkeypatch.delenv("ANSIBLE_CODEGEN_API_KEY", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert config_path() == tmp_path / "ansible-codegen" / "config.toml"
    assert backend_options() == {"kind": "local", "url": None, "model": None, "timeout": 60.0, "api_key": None}
    config_path().parent.mkdir()
    config_path().write_text('[backend]\nkind = "openai"\nurl = "http://gpu:8000"\nmodel = "m"\ntimeout = 5\n'
                             'api_key = "k"\n')
    assert backend_options() == {"kind": "openai", "url": "http://gpu:8000", "model": "m", "timeout": 5.0,
                                 "api_key": "k"}
    given = backend_options(kind="local", url="http://other:1", model="n", timeout=2)
    assert given == {"kind": "local", "url": "http://other:1", "model": "n", "timeout": 2.0, "api_key": "k"}
    monkeypatch.setenv("ANSIBLE_CODEGEN_API_KEY", "from-env")
    assert backend_options()["api_key"] == "from-env"


@pytest.mark.parametrize("text, message", [
    ("[backend\n", "not valid TOML"),
    ('[backend]\nkind = "cloud"\n', "use local or openai"),
    ("[backend]\ntimeout = -1\n", "positive number"),
    ('[backend]\ntimeout = "soon"\n', "positive number"),
    ('[backend]\nurl = "gpu:8000"\n', "http://"),
    ('[backend]\nmodle = "m"\n', "unknown [backend] key(s) modle"),
    ('backend = "openai"\n', "must be a table"),
])
def test_bad_config_is_one_clear_line(tmp_path, monkeypatch, text, message):
    from codegen.config import backend_options

    config = tmp_path / "config.toml"
    config.write_text(text)
    monkeypatch.setenv("ANSIBLE_CODEGEN_CONFIG", str(config))
    with pytest.raises(ValueError) as caught:
        backend_options()
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_named_config_file_must_exist(tmp_path, monkeypatch):
    from codegen.config import backend_options

    monkeypatch.setenv("ANSIBLE_CODEGEN_CONFIG", str(tmp_path / "missing.toml"))
    with pytest.raises(ValueError, match="does not exist"):
        backend_options()


# -- serve's helpers ----------------------------------------------------------------------------------
def test_vllm_command_serves_base_and_adapter(tmp_path):
    from codegen.serving.commands import vllm_command

    adapter = tmp_path / "adapter"
    adapter.mkdir()
    (adapter / "adapter_config.json").write_text('{"r": 12, "peft_type": "LORA"}')
    command = vllm_command(tmp_path / "base", adapter, MODEL, "127.0.0.1", 8000)
    assert command.startswith(f"vllm serve {tmp_path / 'base'} ")
    assert f"--enable-lora --lora-modules {MODEL}={adapter} --max-lora-rank 16" in command
    assert f"--served-model-name {MODEL}" in vllm_command(tmp_path / "base", None, MODEL, "127.0.0.1", 8000)


def test_serve_prints_paths_and_rejects_a_bad_adapter(tiny_model_dir, tmp_path):
    result = run_cli(tmp_path, "serve", "--base", str(tiny_model_dir), "--adapter", "none", "--print-base-path")
    assert result.returncode == 0 and result.stdout.strip() == str(tiny_model_dir)
    result = run_cli(tmp_path, "serve", "--base", str(tiny_model_dir), "--adapter", str(tmp_path))
    assert result.returncode == 2 and "no adapter_config.json" in result.stderr
    assert result.stderr.strip().count("\n") == 0
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = str(busy.getsockname()[1])
        result = run_cli(tmp_path, "serve", "--base", str(tiny_model_dir), "--adapter", "none", "--port", port)
    assert result.returncode == 2 and f"cannot listen on 127.0.0.1:{port}" in result.stderr
