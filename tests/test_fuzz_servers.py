"""Hypothesis fuzzing of the two servers' input handling, bounded in examples and time.

`serve`: random and hostile bodies (any JSON value in any field, lone surrogates, deep nesting,
huge numbers, raw bytes, wrong Content-Types) over a real socket to `ansible-codegen serve` on the
tiny model; each answer is one of the documented ones (200 with choices, or an OpenAI-shaped
400/404/413/415) within CALL_SECONDS, agrees with the in-process parser, and the server's stderr
stays empty. The parser itself gets many more inputs in process.

Language server: random and hostile documents (YAML-ish lines, control characters, surrogates,
anchors/aliases, tabs, CRs) through the document functions in process, and over stdio with random
positions and random params for its requests; each request is answered (a result, or the JSON-RPC
error its protocol documents) within CALL_SECONDS, and nothing prints a traceback.

`FUZZ_COUNTS` tallies the inputs run; the last test prints it (`pytest -s` shows it).
"""
from __future__ import annotations

import http.client
import json
import time
from collections import Counter
from datetime import timedelta

import pytest
import torch._dynamo  # noqa: F401 - torch before ansible (ansible replaces sys.intern, which torch rejects)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codegen.lsp.document import find_target, split_lines, task_at
from codegen.serving.server import MAX_BODY, RequestError, parse_completion_request, parse_json_body
from tests.lsp_helpers import RawLsp, write_script
from tests.test_openai_backend import start_serve

CALL_SECONDS = 10.0  # one request, on a busy 2-core machine
DOC_SECONDS = 2.0  # one document function call
FUZZ_COUNTS: Counter = Counter()
FUZZ = settings(deadline=timedelta(seconds=CALL_SECONDS), database=None, derandomize=False,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])

# -- strategies ---------------------------------------------------------------------------------------
surrogates = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF, categories=["Cs"])
hostile_text = st.text(st.one_of(st.characters(), surrogates, st.sampled_from("\x00\t\r\n\ufeff\u2028-:#&*!|>'\"{}[]%@`")),
                       max_size=80)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2 ** 70, 2 ** 70) | st.floats(allow_nan=True) | hostile_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(hostile_text, inner, max_size=4), max_leaves=12)
MODEL = "ansible-codegen"
request_bodies = st.fixed_dictionaries({}, optional={
    "model": st.one_of(st.just(MODEL), hostile_text, json_values),
    "prompt": st.one_of(st.just("- name: Install nginx\n"), hostile_text, st.lists(hostile_text, max_size=20),
                        st.integers(0, 200_000).map(lambda n: "x" * n), json_values),
    "max_tokens": st.one_of(st.integers(-3, 40), json_values),
    "stop": st.one_of(hostile_text, st.lists(hostile_text, max_size=20), json_values),
    "stream": st.one_of(st.booleans(), json_values),
    "stream_options": st.one_of(st.just({"include_usage": True}), json_values),
    "n": st.one_of(st.integers(-2, 3), json_values),
    "echo": json_values, "logprobs": json_values, "suffix": json_values, "temperature": json_values,
})
encoded_bodies = request_bodies.map(lambda body: json.dumps(body).encode())  # surrogates as \udXXX escapes
raw_bodies = st.one_of(
    encoded_bodies,
    json_values.map(lambda value: json.dumps(value).encode()),
    st.binary(max_size=200),
    st.integers(1, 200_000).map(lambda depth: b"[" * depth + b"]" * depth),
    st.integers(1, 200_000).map(lambda depth: b'{"a":' * depth + b"1" + b"}" * depth),
    st.integers(4300, 20_000).map(lambda digits: b'{"prompt": "x", "max_tokens": 1' + b"0" * digits + b"}"),
    st.tuples(encoded_bodies, st.integers(0, 50)).map(lambda pair: pair[0][:pair[1]]),  # cut short
)
content_types = st.sampled_from(["application/json", "application/json; charset=utf-8", "Application/JSON",
                                 "text/plain", "text/plain; charset=utf-8", "application/x-www-form-urlencoded",
                                 "multipart/form-data; boundary=x", None])

yaml_lines = st.one_of(
    st.sampled_from(["---", "- name: Web", "  hosts: all", "  tasks:", "    - name: Install nginx",
                     "    - name: Start nginx", "    # install nginx & start nginx", "      ansible.builtin.package:",
                     "        name: nginx", "  handlers:", "    - block:", "  - &a {name: x, block: [*a]}",
                     "- *a", "    - name: [unclosed", "\t- : :", "...", "%YAML 1.2", "- name: 'it''s'", "- !!python/name:os.system"]),
    st.tuples(st.integers(0, 8), hostile_text).map(lambda pair: " " * pair[0] + pair[1]),
)
documents = st.lists(yaml_lines, max_size=30).map("\n".join)


# -- serve: the parser in process, then the real server over a socket -------------------------------------
@settings(FUZZ, max_examples=400, deadline=timedelta(seconds=DOC_SECONDS))
@given(raw=raw_bodies)
def test_fuzz_serve_request_parsing_in_process(raw):
    """Any body either parses into the documented request or is a RequestError (400/404)."""
    FUZZ_COUNTS["serve parser (in process)"] += 1
    try:
        request = parse_completion_request(parse_json_body(raw), {MODEL}, 1024)
    except RequestError as exc:
        assert exc.status in (400, 404) and exc.message and "\n" not in exc.message
        return
    assert set(request) == {"prompts", "max_tokens", "stop", "stream", "include_usage"}
    assert all(isinstance(p, str) for p in request["prompts"]) and 1 <= request["max_tokens"] <= 1024


@pytest.fixture(scope="module")
def fuzz_served(tiny_model_dir, tmp_path_factory):
    proc, url = start_serve(tiny_model_dir, tmp_path_factory.mktemp("fuzz-serve"), "--max-tokens-limit", "24")
    yield url
    proc.terminate()
    proc.wait(timeout=30)


def _post(url: str, raw: bytes, content_type: str | None) -> tuple[int, str, bytes]:
    host, port = url.split("//", 1)[1].split("/", 1)[0].rsplit(":", 1)
    connection = http.client.HTTPConnection(host, int(port), timeout=CALL_SECONDS)
    try:
        headers = {"Content-Length": str(len(raw))}
        if content_type is not None:
            headers["Content-Type"] = content_type
        connection.request("POST", "/v1/completions", body=raw, headers=headers)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read()
    finally:
        connection.close()


@settings(FUZZ, max_examples=80)
@given(raw=raw_bodies, content_type=content_types)
def test_fuzz_serve_over_a_socket(fuzz_served, raw, content_type):
    FUZZ_COUNTS["serve requests (socket)"] += 1
    started = time.monotonic()
    status, kind, body = _post(fuzz_served, raw, content_type)
    assert time.monotonic() - started < CALL_SECONDS
    if content_type is None or content_type.split(";")[0].strip().lower() != "application/json":
        assert status == 415
    elif len(raw) > MAX_BODY:
        assert status == 413
    if status == 200:
        request = parse_completion_request(parse_json_body(raw), {MODEL}, 24)  # the parser agrees it was valid
        if request["stream"]:
            assert kind == "text/event-stream" and body.rstrip().endswith(b"data: [DONE]")
        else:
            answer = json.loads(body)
            assert len(answer["choices"]) == len(request["prompts"]) and answer["usage"]["total_tokens"] >= 1
        return
    assert status in (400, 404, 413, 415) and kind == "application/json", (status, body[:300])
    error = json.loads(body)["error"]
    assert set(error) == {"message", "type", "param", "code"} and error["message"]


def test_fuzz_serve_left_no_traceback(fuzz_served):
    """Runs after the socket fuzzing (file order): the server's stderr holds only its start line."""
    assert FUZZ_COUNTS["serve requests (socket)"] > 0
    lines = [line for line in fuzz_served.log.read_text().splitlines() if line.strip()]
    assert len(lines) == 1 and "serving" in lines[0], "\n".join(lines[-40:])


# -- the language server: document functions in process, then over stdio -----------------------------------
def _timed(func, *args):
    started = time.monotonic()
    result = func(*args)
    assert time.monotonic() - started < DOC_SECONDS, func.__name__
    return result


@settings(FUZZ, max_examples=250, deadline=timedelta(seconds=4 * DOC_SECONDS))
@given(text=documents, line=st.integers(-2, 40), character=st.integers(-2, 200),
       uri=st.sampled_from(["", "file:///r/roles/web/tasks/main.yml", "file:///site.yml", "untitled:1", "%%"]))
def test_fuzz_document_functions(text, line, character, uri):
    """The cursor analysis and the task parse never raise, whatever the text (a parse may say None)."""
    FUZZ_COUNTS["LSP document functions (in process)"] += 1
    lines = _timed(split_lines, text)
    assert len(lines) == text.count("\n") + 1
    target = _timed(find_target, text, line, character, uri, None)
    if target is not None:
        assert 0 <= target.anchor < len(lines) and target.requests and target.start <= target.end
        assert isinstance(target.block(["- name: x\n  ansible.builtin.debug:\n    msg: y\n"]), str)
    found = _timed(task_at, text, line, uri, None)
    assert found is None or (found.line >= 1 and isinstance(found.text, str))


REQUESTS = ["textDocument/hover", "textDocument/inlineCompletion", "textDocument/completion",
            "textDocument/codeAction", "workspace/executeCommand"]
DOCUMENTED_ERRORS = {-32602, -32600, -32601, -32801, -32800}  # bad params/request, no method, modified, cancelled


@pytest.fixture(scope="module")
def fuzz_lsp(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz-lsp")
    lsp = RawLsp("--backend-script", str(write_script(folder)), "--debounce", "0.05", "--no-lint")
    lsp.initialize(folder)
    lsp.folder = folder
    yield lsp
    lsp.send({"id": "bye", "method": "shutdown"})
    lsp.response("bye", timeout=CALL_SECONDS)
    lsp.send({"method": "exit"})
    assert lsp.proc.wait(timeout=30) == 0
    assert b"Traceback" not in lsp.stderr, lsp.stderr.decode(errors="replace")[-4000:]


def _params(method: str, uri: str, line: int, character: int):
    position = {"line": line, "character": character}
    document = {"uri": uri}
    return {
        "textDocument/hover": {"textDocument": document, "position": position},
        "textDocument/completion": {"textDocument": document, "position": position},
        "textDocument/inlineCompletion": {"textDocument": document, "position": position,
                                          "context": {"triggerKind": 1}},
        "textDocument/codeAction": {"textDocument": document, "range": {"start": position, "end": position},
                                    "context": {"diagnostics": []}},
        "workspace/executeCommand": {"command": "ansible-codegen.explainTask", "arguments": [uri, line]},
    }[method]


@settings(FUZZ, max_examples=40)
@given(text=documents, calls=st.lists(st.tuples(st.sampled_from(REQUESTS), st.integers(-1, 35), st.integers(-1, 120),
                                                  st.one_of(st.none(), json_values)), min_size=1, max_size=4))
def test_fuzz_language_server_over_stdio(fuzz_lsp, text, calls):
    """Open a random document, then random requests (well-formed at random positions, or random
    params): each is answered within CALL_SECONDS with a result or a documented JSON-RPC error."""
    FUZZ_COUNTS["LSP documents (stdio)"] += 1
    number = FUZZ_COUNTS["LSP documents (stdio)"]
    uri = (fuzz_lsp.folder / f"doc{number}.yml").as_uri()
    fuzz_lsp.send({"method": "textDocument/didOpen", "params": {"textDocument": {
        "uri": uri, "languageId": "yaml", "version": 1, "text": text}}})
    for index, (method, line, character, junk) in enumerate(calls):
        FUZZ_COUNTS["LSP requests (stdio)"] += 1
        msg_id = f"{number}-{index}"
        params = _params(method, uri, line, character) if junk is None else junk
        started = time.monotonic()
        fuzz_lsp.send({"id": msg_id, "method": method, "params": params})
        answer = fuzz_lsp.response(msg_id, timeout=CALL_SECONDS)
        assert time.monotonic() - started < CALL_SECONDS
        if "error" in answer:
            assert answer["error"]["code"] in DOCUMENTED_ERRORS, answer
            if junk is None and line >= 0 and character >= 0:
                assert answer["error"]["code"] != -32602, answer  # well-formed params are never refused
        else:
            assert "result" in answer
    fuzz_lsp.send({"method": "textDocument/didClose", "params": {"textDocument": {"uri": uri}}})


def test_fuzz_counts():
    """How many inputs each fuzzer ran (shown with `pytest -s`)."""
    print("\nfuzz inputs run: " + ", ".join(f"{name}: {count}" for name, count in FUZZ_COUNTS.items()))
    assert FUZZ_COUNTS["serve parser (in process)"] and FUZZ_COUNTS["LSP document functions (in process)"]
