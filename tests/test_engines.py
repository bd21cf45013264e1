"""The tuned model on real serving engines (issue 19): export, the grammar, llama.cpp's server.

Fast tests: the export command's refusals, the Modelfile, the grammar's content, and which field
carries the grammar to which engine (loopback stub servers that record what they were sent).
e2e tests (the embedded model): the HF export answers like the local model, the GGUF export loads
in llama.cpp and answers like it, and `--backend openai` against llama-cpp-python's real server
with the grammar gives schema-correct tasks; a killed and a slow server give one-line errors.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

BIN = str(Path(sys.executable).with_name("ansible-codegen"))
MODEL = "ansible-codegen"
PROMPTS = ["Install nginx", "Create the directory /srv/app", "Restart the sshd service"]


def _env(tmp_path: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("ANSIBLE_CODEGEN_CONFIG", "ANSIBLE_CODEGEN_API_KEY",
                                                             "ANSIBLE_CODEGEN_GRAMMAR")}
    env["XDG_CONFIG_HOME"] = str(tmp_path / "no-config")
    env["OMP_NUM_THREADS"] = "1"
    env.update(extra)
    return env


def run_cli(tmp_path: Path, *args, timeout: float = 900, **env):
    return subprocess.run([BIN, *args], capture_output=True, text=True, timeout=timeout, env=_env(tmp_path, **env))


def one_line_error(result, text: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("ansible-codegen: error")]
    assert len(lines) == 1 and text in lines[0], result.stderr


# -- export: refusals ---------------------------------------------------------------------------
def test_export_refuses_a_non_empty_folder_without_force(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "mine.txt").write_text("keep me")
    result = run_cli(tmp_path, "export", "--format", "gguf", "-o", str(out))
    one_line_error(result, "pass --force")
    assert [p.name for p in out.iterdir()] == ["mine.txt"] and (out / "mine.txt").read_text() == "keep me"


def test_export_refuses_a_file_that_is_not_gguf(tmp_path):
    fake = tmp_path / "model.gguf"
    fake.write_bytes(b"GGUF" + b"\xff" * 64)  # the magic, then garbage
    out = tmp_path / "out"
    result = run_cli(tmp_path, "export", "--format", "gguf", "--base", str(fake), "-o", str(out))
    one_line_error(result, "not a readable GGUF file")
    assert not out.exists() and not [p for p in tmp_path.iterdir() if p.name.startswith(".out.")]


def test_export_gguf_needs_a_gguf_base(tmp_path, tiny_model_dir):
    result = run_cli(tmp_path, "export", "--format", "ollama", "--base", str(tiny_model_dir), "--adapter", "none",
                     "-o", str(tmp_path / "out"))
    one_line_error(result, "convert_hf_to_gguf.py")
    assert not (tmp_path / "out").exists()


def test_export_hf_of_a_bare_folder_base(tmp_path, tiny_model_dir):
    """--adapter none: the base itself is the model; the folder holds weights + tokenizer."""
    result = run_cli(tmp_path, "export", "--format", "hf", "--base", str(tiny_model_dir), "--adapter", "none",
                     "-o", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    merged = Path(summary["merged"])
    assert {"config.json", "model.safetensors"} <= {p.name for p in merged.iterdir()}
    assert (merged / "model.safetensors").read_bytes() == (tiny_model_dir / "model.safetensors").read_bytes()


def test_modelfile_has_the_projects_stop_strings_and_a_raw_template():
    from codegen.backends.openai import STOP
    from codegen.export.modelfile import modelfile

    text = modelfile("ansible-codegen.gguf")
    assert "FROM ./ansible-codegen.gguf" in text
    assert 'TEMPLATE """{{ .Prompt }}"""' in text and "PARAMETER temperature 0" in text
    for stop in STOP:
        assert f'PARAMETER stop """{stop}"""' in text  # the newline each stop starts with is kept


# -- the grammar ----------------------------------------------------------------------------------
def test_grammar_spells_out_the_modules_options_and_choices(catalog):
    from codegen.grounding.grammar import task_grammar

    prompt = ("- name: Open the firewall\n  community.general.ufw:\n    rule: allow\n"
              "- name: Install nginx\n")
    grammar = task_grammar(catalog, prompt, "Install nginx", handlers=["Restart nginx"])
    assert grammar.startswith("root ::=")
    rules = dict(line.split(" ::= ", 1) for line in grammar.splitlines() if " ::= " in line)
    apt = next(name for name, body in rules.items() if body.startswith('"  ansible.builtin.apt:"'))
    options = [rules[name] for name in rules if name.startswith(apt + "-o") and not name.endswith("-c")]
    assert any('"state:"' in body for body in options) and any('"name:"' in body or '"pkg:"' in body for body in options)
    state = next(rules[n] for n in rules if n.startswith(apt + "-o") and n.endswith("-c")
                 and '"present"' in rules[n] and '"latest"' in rules[n])
    assert '"absent"' in state
    assert '"  community.general.ufw:"' in grammar  # a module the prompt's example uses
    assert rules["handler"] == '"Restart nginx"'  # notify names a handler of the file
    assert '"  ignore_errors:" " false\\n"' in grammar and "true" not in grammar.split("ignore_errors:", 1)[1][:20]
    assert len(grammar) < 400_000


def test_grammar_requires_required_options_in_any_order(catalog):
    from codegen.grounding.grammar import task_grammar

    grammar = task_grammar(catalog, "- name: Copy the config\n", "Copy the config")
    rules = dict(line.split(" ::= ", 1) for line in grammar.splitlines() if " ::= " in line)
    copy = next(name for name, body in rules.items() if body.startswith('"  ansible.builtin.copy:"'))
    dest = next(n for n in rules if n.startswith(copy + "-o") and rules[n].startswith('"    " ("dest:"'))
    mode = next(n for n in rules if n.startswith(copy + "-o") and rules[n].startswith('"    " ("mode:"'))
    body = rules[copy]
    # dest (required) and mode (ansible-lint's risky-file-permissions), either one first
    assert f"{dest} {copy}-more {mode}" in body and f"{mode} {copy}-more {dest}" in body
    assert rules[f"{copy}-more"] == f"{copy}-any{{0,16}}"  # counted: a model repeating option lines still ends
    assert "changed" in rules["task"]  # command/shell need changed_when


# -- which engine gets which field -------------------------------------------------------------
class Recorder:
    """A loopback OpenAI-compatible stub: GET /v1/models names `owner`; completions are recorded."""

    def __init__(self, owner: str, answer: str = "  ansible.builtin.package:\n    name: nginx\n    state: present\n",
                 then: list[str] | None = None):
        self.bodies: list[dict] = []
        answers = [answer, *(then or [])]  # one per completion, the last one again after that
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, payload: dict):
                data = json.dumps(payload).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):  # noqa: N802
                self._send({"object": "list", "data": [{"id": MODEL, "object": "model", "owned_by": owner}]})

            def do_POST(self):  # noqa: N802
                recorder.bodies.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                text = answers[min(len(recorder.bodies), len(answers)) - 1]
                self._send({"choices": [{"index": 0, "text": text, "finish_reason": "stop"}],
                            "usage": {"prompt_tokens": 5, "completion_tokens": 9}})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def recorder():
    servers = []

    def start(owner):
        servers.append(Recorder(owner))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


@pytest.mark.parametrize("owner, field", [("llamacpp", "grammar"), ("me", "grammar"), ("vllm", "structured_outputs")])
def test_engines_that_take_a_grammar_get_it(recorder, tmp_path, owner, field):
    server = recorder(owner)
    result = run_cli(tmp_path, "task", "install nginx", "--backend", "openai", "--url", server.url, "--model", MODEL,
                     "--no-lint")
    assert result.returncode == 0, result.stderr
    body = server.bodies[0]
    grammar = body[field] if field == "grammar" else body[field]["grammar"]
    assert grammar.startswith("root ::=") and '"  ansible.builtin.package:"' in grammar
    assert "no grammar support" not in result.stderr


def test_an_answer_that_repeats_a_key_goes_on_from_before_the_repeat_under_a_narrower_grammar(catalog):
    """Measured on llama.cpp: a looping model wrote `tags:` twice and list items until its budget ran
    out (no task). The client keeps the text before the repeat and asks the engine to go on from
    there, under a grammar without what is written."""
    from types import SimpleNamespace

    from codegen.backends.openai import OpenAIBackend
    from tests.gbnf_match import Grammar

    looping = ("  ansible.builtin.package:\n    name: nginx\n    name: nginx\n")
    server = Recorder("llamacpp", looping, then=["  tags:\n    - web\n    - web\n    - web\n", "  become: true\n"])
    try:
        backend = OpenAIBackend(server.url, MODEL, timeout=30)
        constraint = SimpleNamespace(checker=SimpleNamespace(catalog=catalog, handlers=[]))
        prompt = "- name: Install nginx\n"
        done = backend.complete(prompt, constraint)
    finally:
        server.close()
    assert done.text == "  ansible.builtin.package:\n    name: nginx\n  tags:\n    - web\n  become: true\n"
    first, second, third = server.bodies
    assert second["prompt"] == prompt + "  ansible.builtin.package:\n    name: nginx\n"
    assert third["prompt"] == prompt + "  ansible.builtin.package:\n    name: nginx\n  tags:\n    - web\n"
    assert third["max_tokens"] < second["max_tokens"] < first["max_tokens"]
    rest = Grammar(second["grammar"])  # what may follow the module line and its `name:`
    assert rest.admits("    state: present\n  tags:\n    - web\n")
    assert not rest.admits("    name: git\n") and not rest.admits("  ansible.builtin.apt:\n    name: git\n")
    last = Grammar(third["grammar"])  # after `tags:`: no second `tags:`, no more options
    assert last.admits("  become: true\n") and not last.admits("  tags: [a]\n") and not last.admits("    state: present\n")


def test_a_continuation_still_needs_the_options_the_module_requires(catalog):
    from codegen.grounding.grammar import task_grammar
    from codegen.grounding.grammar_resume import written_state
    from tests.gbnf_match import Grammar

    written = written_state("  ansible.builtin.copy:\n    src: a.conf\n")
    rest = Grammar(task_grammar(catalog, "- name: Copy the config\n", "Copy the config", written=written))
    assert not rest.admits("  become: true\n")  # dest, and mode for ansible-lint, are still missing
    assert rest.admits("    dest: /etc/a.conf\n    mode: '0644'\n  become: true\n")
    command = written_state("  ansible.builtin.command:\n    chdir: /opt/app\n")
    rest = Grammar(task_grammar(catalog, "- name: Run make\n", "Run make", written=command))
    assert not rest.admits("    cmd: make\n") and rest.admits("    cmd: make\n  changed_when: false\n")
    looped = written_state('  loop: "{{ x }}"\n  ansible.builtin.debug:\n    msg: hi\n')
    rest = Grammar(task_grammar(catalog, "- name: Say hi\n", "Say hi", written=looped))
    assert rest.admits("") and rest.admits("  tags: [a]\n") and rest.admits("    verbosity: 1\n")
    assert not rest.admits("  with_items:\n    - a\n")  # one loop a task
    keywords_first = written_state("  become: true\n  when: a\n  tags: [x]\n")  # as many as go before a module
    rest = Grammar(task_grammar(catalog, "- name: Make a dir\n", "Make a dir", written=keywords_first))
    assert rest.admits("  ansible.builtin.file:\n    path: /a\n    state: directory\n")
    assert not rest.admits("  register: r\n  ansible.builtin.file:\n    path: /a\n    state: directory\n")


def test_where_an_answer_repeats_itself():
    from codegen.grounding.grammar_resume import first_repeat, written_state

    listed = "  vars:\n    certs:\n      - a.pem\n      - b.pem\n      - b.pem\n      - b.pem\n"
    assert listed[:first_repeat(listed)] == "  vars:\n    certs:\n      - a.pem\n      - b.pem\n"
    twice = "  environment:\n    A: 1\n  register: r\n  environment:\n    B: 2\n"
    assert twice[:first_repeat(twice)] == "  environment:\n    A: 1\n  register: r\n"
    assert first_repeat("  ansible.builtin.file:\n    path: /a\n    state: directory\n  when: a\n") is None
    assert first_repeat("  tags:\n    - a\n    - a") is None  # the last line is not whole yet
    assert first_repeat("  tags:\n    - a  \n    - a\n") == len("  tags:\n    - a  \n")  # trailing blanks aside
    state = written_state("  become: true\n  ansible.builtin.file:\n    path: /a\n    mode: '0644'\n")
    assert (state.module, state.keywords, state.options, state.in_module) == (
        "ansible.builtin.file", {"become"}, {"path", "mode"}, True)
    assert not written_state("  ansible.builtin.command: make\n").in_module


def test_an_engine_without_grammar_is_named_once(recorder, tmp_path):
    server = recorder("library")  # Ollama's owned_by
    cases = tmp_path / "cases.jsonl"
    cases.write_text("".join(json.dumps({"id": str(i), "prompt": p}) + "\n" for i, p in enumerate(PROMPTS)))
    result = run_cli(tmp_path, "batch", str(cases), "-o", str(tmp_path / "out.jsonl"), "--backend", "openai",
                     "--url", server.url, "--model", MODEL, "--no-lint")
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("no grammar support") == 1 and "'library'" in result.stderr
    assert len(server.bodies) >= len(PROMPTS)
    assert not any(k in b for b in server.bodies for k in ("grammar", "structured_outputs", "guided_grammar"))


def test_grammar_off_sends_none(recorder, tmp_path):
    server = recorder("llamacpp")
    result = run_cli(tmp_path, "task", "install nginx", "--backend", "openai", "--url", server.url, "--model", MODEL,
                     "--no-lint", ANSIBLE_CODEGEN_GRAMMAR="off")
    assert result.returncode == 0, result.stderr
    assert "grammar" not in server.bodies[0] and "no grammar support" not in result.stderr


def test_a_bad_grammar_mode_is_a_one_line_error(tmp_path):
    result = run_cli(tmp_path, "task", "install nginx", "--backend", "openai", "--url", "http://127.0.0.1:9",
                     "--model", MODEL, "--no-lint", ANSIBLE_CODEGEN_GRAMMAR="sometimes")
    one_line_error(result, "ANSIBLE_CODEGEN_GRAMMAR")


# -- e2e: the embedded model through the exports and llama.cpp's real server ------------------------
def _local_raw(prompts: list[str]) -> list[str]:
    """The local backend's unconstrained greedy answers (the kept-vocabulary head included), in plain
    float32 (no float16-held weights): the numbers an exported model in float32 gives exactly,
    whatever number format this machine would choose by itself."""
    import os

    from codegen.backends.local import LocalBackend

    saved = {k: os.environ.get(k) for k in ("CODEGEN_DTYPE", "CODEGEN_QUANTIZE")}
    os.environ.update(CODEGEN_DTYPE="float32", CODEGEN_QUANTIZE="none")
    try:
        backend = LocalBackend()
        return [backend.complete(p).text for p in prompts]
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _prompts() -> list[str]:
    from codegen.prompt import render_task_prompt

    return [render_task_prompt(p) for p in PROMPTS]


@pytest.fixture(scope="module")
def local_answers():
    return _local_raw(_prompts())


@pytest.fixture(scope="module")
def ollama_export(tmp_path_factory):
    out = tmp_path_factory.mktemp("export") / "ollama"
    result = run_cli(out.parent, "export", "--format", "ollama", "-o", str(out))
    assert result.returncode == 0, result.stderr
    return out


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LlamaServer:
    """llama-cpp-python's OpenAI-compatible server on a loopback port, its log in a file."""

    def __init__(self, gguf: Path, log: Path):
        self.port, self.log = free_port(), log
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--model_alias", MODEL,
             "--host", "127.0.0.1", "--port", str(self.port), "--n_threads", "1", "--n_ctx", "4096",
             "--verbose", "True", "--interrupt_requests", "False"],  # True: a new request cuts a running stream
            stdout=log.open("w"), stderr=subprocess.STDOUT, env={**os.environ, "OMP_NUM_THREADS": "1"})
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, log.read_text()[-2000:]
            try:
                with urllib.request.urlopen(self.url + "/v1/models", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.5)
        raise AssertionError("llama.cpp server did not start: " + log.read_text()[-2000:])

    def complete(self, body: dict) -> dict:
        request = urllib.request.Request(self.url + "/v1/completions", data=json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=600) as response:
            return json.loads(response.read())

    def stop(self, sig=signal.SIGTERM):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture(scope="module")
def llama_server(ollama_export, tmp_path_factory):
    server = LlamaServer(ollama_export / "ansible-codegen.gguf", tmp_path_factory.mktemp("llama") / "server.log")
    yield server
    server.stop()


@pytest.mark.e2e
def test_hf_export_answers_like_the_local_model(tmp_path, local_answers):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from codegen.model.generate import end_of_task

    out = tmp_path / "hf"
    result = run_cli(tmp_path, "export", "--format", "hf", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert {"adapter_config.json", "adapter_model.safetensors"} <= {p.name for p in (out / "adapter").iterdir()}
    assert {"config.json", "model.safetensors", "tokenizer.json"} <= {p.name for p in (out / "base").iterdir()}
    tokenizer = AutoTokenizer.from_pretrained(out / "merged")
    # float32, as the local answers: the same numbers (bf16 kernels differ between CPUs with and without AMX)
    model = AutoModelForCausalLM.from_pretrained(out / "merged", dtype=torch.float32).eval()
    torch.set_num_threads(1)
    for prompt, local in zip(_prompts(), local_answers):
        ids = tokenizer(prompt, return_tensors="pt")  # the folder's tokenizer adds <bos>, as the local backend does
        assert ids["input_ids"][0, 0].item() == tokenizer.bos_token_id
        with torch.no_grad():
            out_ids = model.generate(**ids, max_new_tokens=120, do_sample=False)
        text = tokenizer.decode(out_ids[0, ids["input_ids"].shape[1]:], skip_special_tokens=True)
        cut = end_of_task(text)
        assert (text[:cut] if cut is not None else text) == local


@pytest.mark.e2e
def test_gguf_export_loads_in_llama_cpp_and_answers_like_the_local_model(llama_server, local_answers):
    from codegen.backends.openai import STOP
    from codegen.model.generate import end_of_task

    same = 0
    for prompt, local in zip(_prompts(), local_answers):
        answer = llama_server.complete({"model": MODEL, "prompt": prompt, "max_tokens": 120, "temperature": 0,
                                        "stop": STOP})["choices"][0]
        text = answer["text"] + ("\n" if answer["finish_reason"] == "stop" and not answer["text"].endswith("\n") else "")
        cut = end_of_task(text)
        text = text[:cut] if cut is not None else text
        assert text.split("\n", 1)[0] == local.split("\n", 1)[0]  # the same module, always
        same += text == local
    assert same >= len(PROMPTS) - 1, same  # F16 vs float32 arithmetic may flip a late token


@pytest.mark.e2e
def test_llama_cpp_applies_the_grammar(llama_server, catalog):
    """A grammar offering only ansible.builtin.debug: the engine must write debug for 'Install nginx'."""
    from codegen.grounding.grammar import GrammarBuilder

    grammar = GrammarBuilder(catalog).build(["ansible.builtin.debug"])
    before = llama_server.log.read_text()
    answer = llama_server.complete({"model": MODEL, "prompt": _prompts()[0], "max_tokens": 60, "temperature": 0,
                                    "grammar": grammar})["choices"][0]["text"]
    assert answer.startswith("  ansible.builtin.debug:\n"), answer
    # llama-cpp-python 0.3.36 logs a grammar only when llama.cpp's parser refuses it ("parse: error
    # parsing grammar", and then the server dies): a clean log after the request says it was parsed
    log = llama_server.log.read_text()[len(before):]
    assert '"POST /v1/completions HTTP/1.1" 200' in log and "error parsing grammar" not in log, log[-3000:]
    unconstrained = llama_server.complete({"model": MODEL, "prompt": _prompts()[0], "max_tokens": 60,
                                           "temperature": 0})["choices"][0]["text"]
    assert not unconstrained.startswith("  ansible.builtin.debug:")  # the grammar, not the model, chose debug


@pytest.mark.e2e
def test_backend_openai_with_grammar_on_llama_cpp_is_schema_correct(llama_server, tmp_path):
    cases = tmp_path / "cases.jsonl"
    cases.write_text("".join(json.dumps({"id": str(i), "prompt": p}) + "\n" for i, p in enumerate(PROMPTS)))
    before = llama_server.log.read_text()
    result = run_cli(tmp_path, "batch", str(cases), "-o", str(tmp_path / "out.jsonl"), "--backend", "openai",
                     "--url", llama_server.url, "--model", MODEL)
    assert result.returncode == 0, result.stderr
    assert "no grammar support" not in result.stderr
    records = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert len(records) == len(PROMPTS)
    for record in records:
        assert record["yaml"] and not [p for p in record["problems"] if p.startswith("error")], record
    log = llama_server.log.read_text()[len(before):]
    assert log.count('"POST /v1/completions HTTP/1.1" 200') >= len(PROMPTS) and "error parsing grammar" not in log


@pytest.mark.e2e
def test_killed_and_slow_llama_cpp_servers_are_one_line_errors(ollama_export, tmp_path):
    server = LlamaServer(ollama_export / "ansible-codegen.gguf", tmp_path / "server.log")
    try:
        config = tmp_path / "no-config" / "ansible-codegen" / "config.toml"
        config.parent.mkdir(parents=True)
        config.write_text("[backend]\ntimeout = 0.3\n")  # a real engine slower than the client will wait
        slow = run_cli(tmp_path, "task", "install nginx", "--backend", "openai", "--url", server.url,
                       "--model", MODEL, "--no-lint")
        one_line_error(slow, "did not answer within 0.3 s")
        config.unlink()
        server.stop(signal.SIGKILL)
        killed = run_cli(tmp_path, "task", "install nginx", "--backend", "openai", "--url", server.url,
                         "--model", MODEL, "--no-lint")
        one_line_error(killed, "connection refused")
        assert killed.stdout == ""
    finally:
        server.stop(signal.SIGKILL)


def _engine_admits(vocab, grammar: str, text: str) -> bool:
    """Does llama.cpp's own grammar sampler let `text` through, token by token?"""
    import ctypes
    import math

    import llama_cpp

    sampler = llama_cpp.llama_sampler_init_grammar(vocab, grammar.encode(), b"root")
    assert sampler, "llama.cpp did not parse the grammar"
    raw = text.encode()
    tokens = (llama_cpp.llama_token * (len(raw) + 8))()
    count = llama_cpp.llama_tokenize(vocab, raw, len(raw), tokens, len(raw) + 8, False, False)
    try:
        for token in tokens[:count]:
            candidate = (llama_cpp.llama_token_data * 1)()
            candidate[0].id, candidate[0].logit, candidate[0].p = token, 0.0, 0.0
            array = llama_cpp.llama_token_data_array(data=candidate, size=1, selected=-1, sorted=False)
            llama_cpp.llama_sampler_apply(sampler, ctypes.byref(array))
            if math.isinf(candidate[0].logit):
                return False
            llama_cpp.llama_sampler_accept(sampler, token)
        return True
    finally:
        llama_cpp.llama_sampler_free(sampler)


@pytest.mark.e2e
def test_llama_cpp_enforces_the_grammar_on_the_measured_failures(ollama_export, catalog):
    """The answers that failed the local checks with the old grammar on llama.cpp are refused by
    llama.cpp's own grammar sampler now; their corrected forms go through; the whole grammar of a
    real prompt parses in llama.cpp."""
    import llama_cpp

    from codegen.grounding.grammar import GrammarBuilder, task_grammar

    llama_cpp.llama_backend_init()
    params = llama_cpp.llama_model_default_params()
    params.vocab_only = True
    model = llama_cpp.llama_model_load_from_file(str(ollama_export / "ansible-codegen.gguf").encode(), params)
    assert model
    try:
        vocab = llama_cpp.llama_model_get_vocab(model)
        grammar = GrammarBuilder(catalog).build(["ansible.builtin.service", "ansible.builtin.command"])
        service = "  ansible.builtin.service:\n    name: nginx\n    state: started\n"
        pairs = [
            (service + "  when: (item.state | d(x) in ['a', 'b'))\n", service + "  when: (item.state | d(x)) in ['a', 'b']\n"),
            (service + "  when: x is defined and\n  tags: [a]\n", service + "  when: x is defined and\n      y\n  tags: [a]\n"),
            (service + '  when:\n    - >-\n    - "x and "\n', service + "  when:\n    - x\n    - y\n"),
            ('  ansible.builtin.command: vi -e "ROUTE={{ cidr }\n', '  ansible.builtin.command: vi -e "ROUTE={{ cidr }}"\n'),
        ]
        for bad, good in pairs:
            assert not _engine_admits(vocab, grammar, bad), bad
            assert _engine_admits(vocab, grammar, good), good
        full = task_grammar(catalog, "- name: Restart nginx when its config changed\n",
                            "Restart nginx when its config changed", handlers=["Restart nginx"])
        sampler = llama_cpp.llama_sampler_init_grammar(vocab, full.encode(), b"root")
        assert sampler, "llama.cpp did not parse the full grammar"
        llama_cpp.llama_sampler_free(sampler)
    finally:
        llama_cpp.llama_model_free(model)
