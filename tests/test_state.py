"""Data and state: nothing lost, nothing overwritten, exit codes that say what happened.

Every test runs the real `ansible-codegen` entry point in a subprocess, with the model-free
scripted backend (ANSIBLE_CODEGEN_TEST_BACKEND); where a test must stop a process at a precise
point (a slow model, a crash between two renames) it runs the same CLI code in a Python process
that slows or crashes one call.

Exit codes of task, playbook, role, batch: 0 everything valid, 1 generated but some step/task
failed its checks or is missing, 2 bad input (nothing written), 130 batch stopped (Ctrl-C, SIGTERM).
"""
import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

BIN = str(Path(sys.executable).parent / "ansible-codegen")
APT = "  ansible.builtin.apt:\n    name: nginx\n"
SERVICE = "  ansible.builtin.service:\n    name: nginx\n    state: started\n"
ANSWERS = {"install nginx": APT, "start nginx": SERVICE}  # any other request: no answer (a failed step)

# The CLI in a Python process whose scripted model takes DELAY seconds per answer and notes each
# question in CALLS as it starts (one question per case here: when question k+1 starts, case k is done).
SLOW_CLI = """
import sys, time
import codegen.backends.scripted as scripted
answer, delay, calls = scripted.ScriptedBackend.complete, float(sys.argv[1]), sys.argv[2]
def slow(self, prompt, constraint=None, cancelled=None):
    with open(calls, "a") as fh:
        fh.write("asked\\n")
    time.sleep(delay)
    return answer(self, prompt, constraint, cancelled)
scripted.ScriptedBackend.complete = slow
sys.argv = ["ansible-codegen", *sys.argv[3:]]
from codegen.cli import main
main()
"""

# The CLI in a Python process that dies (like SIGKILL: no cleanup) on the rename that would put a
# new folder at TARGET, i.e. between the two renames of a `role --force` swap.
CRASH_CLI = """
import os, sys
target = os.path.abspath(sys.argv[1])
for name in ("rename", "replace"):
    real = getattr(os, name)
    def crashing(src, dst, *args, _real=real, **kwargs):
        if os.path.abspath(dst) == target:
            os._exit(137)
        return _real(src, dst, *args, **kwargs)
    setattr(os, name, crashing)
sys.argv = ["ansible-codegen", *sys.argv[2:]]
from codegen.cli import main
main()
"""


@pytest.fixture
def answers(tmp_path):
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(ANSWERS))
    return path


def env_for(answers, **extra):
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])  # ansible-config for lint
    return {**os.environ, "PATH": path, "ANSIBLE_CODEGEN_TEST_BACKEND": f"scripted:{answers}", "OMP_NUM_THREADS": "1",
            **extra}


def cli(answers, *args, cwd=None, timeout=300, umask=0o022, extra_env=None, prefix=(BIN,)):
    """The real entry point (args may be bytes, for arguments that are not UTF-8)."""
    return subprocess.run([*prefix, *args], capture_output=True, timeout=timeout, cwd=cwd, umask=umask,
                          env=env_for(answers, **(extra_env or {})), text=True, errors="replace")


def one_line_error(result):
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("ansible-codegen: error:"), result.stderr
    return lines[0]


def jsonl(path):
    return [json.loads(line) for line in Path(path).read_text().splitlines()]


# --- exit codes, invalid UTF-8 ---------------------------------------------------------------

def test_task_exit_codes_say_whether_the_task_is_valid(answers):
    assert cli(answers, "task", "install nginx", "--no-lint").returncode == 0
    failed = cli(answers, "task", "install nginx & frobnicate the widget", "--no-lint")
    assert failed.returncode == 1 and "ansible.builtin.apt" in failed.stdout  # generated, one part missing


@pytest.mark.parametrize("command", [
    ["task", b"install \xff nginx"],
    ["playbook", b"install nginx & \xff start nginx"],
    ["role", "web", b"install \xff nginx"],
])
def test_prompt_that_is_not_utf8_is_one_line_error_exit_2(answers, tmp_path, command):
    result = cli(answers, *command, "--no-lint", cwd=tmp_path)
    assert result.returncode == 2
    assert "not valid UTF-8" in one_line_error(result)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["answers.json"]  # nothing written


# --- playbook: a failed result never replaces a file without --force -------------------------

def test_playbook_with_failed_steps_keeps_an_existing_file(answers, tmp_path):
    existing = tmp_path / "site.yml"
    existing.write_text("# my work\n")
    result = cli(answers, "playbook", "frobnicate & defrobnicate", "--no-lint", "-o", str(existing))
    assert result.returncode == 1 and existing.read_text() == "# my work\n"
    partly = cli(answers, "playbook", "install nginx & frobnicate", "--no-lint", "-o", str(existing))
    assert partly.returncode == 1 and existing.read_text() == "# my work\n"
    assert "--force" in partly.stderr and "Traceback" not in partly.stderr
    forced = cli(answers, "playbook", "install nginx & frobnicate", "--no-lint", "-o", str(existing), "--force")
    assert forced.returncode == 1 and "ansible.builtin.apt" in existing.read_text()
    new = tmp_path / "new.yml"  # nothing to lose: a partial result is written (and the exit code says so)
    assert cli(answers, "playbook", "install nginx & frobnicate", "--no-lint", "-o", str(new)).returncode == 1
    assert "ansible.builtin.apt" in new.read_text()
    good = cli(answers, "playbook", "install nginx & start nginx", "--no-lint", "-o", str(existing))
    assert good.returncode == 0 and "ansible.builtin.service" in existing.read_text()


def test_playbook_refuses_to_write_over_its_outline(answers, tmp_path):
    outline = tmp_path / "outline.txt"
    outline.write_text("# Request: set up nginx\n1. install nginx\n2. start nginx\n")
    before = outline.read_text()
    result = cli(answers, "playbook", "--from-outline", str(outline), "-o", str(outline), "--no-lint")
    assert result.returncode == 2 and "outline file itself" in one_line_error(result)
    assert outline.read_text() == before


def test_output_keeps_the_mode_of_the_file_it_replaces(answers, tmp_path):
    existing = tmp_path / "site.yml"
    existing.write_text("# old\n")
    existing.chmod(0o640)
    assert cli(answers, "playbook", "install nginx", "--no-lint", "-o", str(existing)).returncode == 0
    assert stat.S_IMODE(existing.stat().st_mode) == 0o640 and "apt" in existing.read_text()
    new = tmp_path / "new.yml"
    assert cli(answers, "playbook", "install nginx", "--no-lint", "-o", str(new), umask=0o022).returncode == 0
    assert stat.S_IMODE(new.stat().st_mode) == 0o644  # what the umask gives any new file, not 0600


def test_output_through_a_symlink_updates_the_target_and_keeps_the_link(answers, tmp_path):
    target = tmp_path / "real" / "site.yml"
    target.parent.mkdir()
    target.write_text("# old\n")
    link = tmp_path / "site.yml"
    link.symlink_to(target)
    assert cli(answers, "playbook", "install nginx", "--no-lint", "-o", str(link)).returncode == 0
    assert link.is_symlink() and "ansible.builtin.apt" in target.read_text()


def test_fill_through_a_symlink_keeps_the_link(answers, tmp_path):
    target = tmp_path / "roles" / "web" / "tasks" / "main.yml"
    target.parent.mkdir(parents=True)
    target.write_text("- name: Say hi\n  ansible.builtin.debug:\n    msg: hi\n\n# codegen: install nginx\n")
    target.chmod(0o664)
    link = tmp_path / "link.yml"
    link.symlink_to(target)
    result = cli(answers, "fill", "--no-lint", str(link))
    assert result.returncode == 1, result.stdout + result.stderr  # 1: a file was changed (pre-commit's code)
    assert link.is_symlink() and "ansible.builtin.apt" in target.read_text()
    assert stat.S_IMODE(target.stat().st_mode) == 0o664


# --- explain -o onto its input ---------------------------------------------------------------

def test_explain_refuses_to_write_over_the_file_it_explains(answers, tmp_path):
    playbook = tmp_path / "site.yml"
    text = "- name: Web\n  hosts: all\n  tasks:\n    - name: Say hi\n      ansible.builtin.debug:\n        msg: hi\n"
    playbook.write_text(text)
    (tmp_path / "sub").mkdir()
    (tmp_path / "alias.yml").symlink_to(playbook)
    for output in ("site.yml", "sub/../site.yml", "alias.yml"):
        result = cli(answers, "explain", "site.yml", "-o", output, cwd=tmp_path)
        assert result.returncode == 2 and "explained file itself" in one_line_error(result)
        assert playbook.read_text() == text
    assert cli(answers, "explain", "site.yml", "-o", "site.md", cwd=tmp_path).returncode == 0
    assert (tmp_path / "site.md").read_text().startswith("#")


# --- role ------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["web\n", "web/x", "../web", "my role", "Web"])
def test_role_name_that_is_not_a_role_name_is_refused(answers, tmp_path, name):
    result = cli(answers, "role", name, "install nginx", "--no-lint", "-o", str(tmp_path / "roles"))
    assert result.returncode == 2 and "role name" in one_line_error(result)
    assert not (tmp_path / "roles").exists()


def test_role_exit_code_says_a_step_failed(answers, tmp_path):
    roles = tmp_path / "roles"
    assert cli(answers, "role", "web", "install nginx & start nginx", "--no-lint", "-o", str(roles)).returncode == 0
    failed = cli(answers, "role", "db", "install nginx & frobnicate", "--no-lint", "-o", str(roles))
    assert failed.returncode == 1 and (roles / "db" / "tasks" / "main.yml").is_file()  # a new folder: written
    assert "Frobnicate" in failed.stderr


def test_role_force_interrupted_between_renames_never_loses_the_old_role(answers, tmp_path):
    roles = tmp_path / "roles"
    old = roles / "web" / "tasks" / "main.yml"
    old.parent.mkdir(parents=True)
    old.write_text("# OLD ROLE: hand-written\n")
    crashed = cli(answers, str(roles / "web"), "role", "web", "install nginx", "--no-lint", "--force",
                  "-o", str(roles), prefix=(sys.executable, "-c", CRASH_CLI), cwd=tmp_path)
    assert crashed.returncode == 137

    def visible_copies():
        return [p for p in roles.glob("*/tasks/main.yml") if not p.parts[-3].startswith(".")
                and p.read_text() == "# OLD ROLE: hand-written\n"]

    assert visible_copies(), sorted(p.name for p in roles.iterdir())  # the old role, under a name one sees
    again = cli(answers, "role", "web", "install nginx", "--no-lint", "--force", "-o", str(roles))
    assert again.returncode == 0 and "ansible.builtin.apt" in old.read_text()
    assert visible_copies()  # the next --force did not delete the backup the crash left


# --- batch -----------------------------------------------------------------------------------

def write_cases(path, cases):
    path.write_text("".join(json.dumps(c) + "\n" for c in cases))


def test_batch_exit_codes(answers, tmp_path):
    good, mixed = tmp_path / "good.jsonl", tmp_path / "mixed.jsonl"
    write_cases(good, [{"id": "a", "prompt": "install nginx"}, {"id": "b", "prompt": "start nginx"}])
    write_cases(mixed, [{"id": "a", "prompt": "install nginx"}, {"id": "b", "prompt": "frobnicate"}])
    assert cli(answers, "batch", str(good), "-o", str(tmp_path / "g.out"), "--no-lint").returncode == 0
    result = cli(answers, "batch", str(mixed), "-o", str(tmp_path / "m.out"), "--no-lint")
    assert result.returncode == 1 and [r["valid"] for r in jsonl(tmp_path / "m.out")] == [True, False]


def test_batch_resume_redoes_a_case_whose_prompt_changed(answers, tmp_path):
    cases, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_cases(cases, [{"id": "a", "prompt": "install nginx"}, {"id": "b", "prompt": "install nginx"}])
    assert cli(answers, "batch", str(cases), "-o", str(out), "--no-lint").returncode == 0
    first = jsonl(out)
    write_cases(cases, [{"id": "a", "prompt": "start nginx"}, {"id": "b", "prompt": "install nginx"}])
    assert cli(answers, "batch", str(cases), "-o", str(out), "--no-lint").returncode == 0
    second = jsonl(out)
    assert second[0]["module"] == "ansible.builtin.service"  # redone: same id, new prompt
    assert second[1] == first[1]  # kept: the same input line


def test_batch_refuses_to_write_over_its_input(answers, tmp_path):
    cases = tmp_path / "in.jsonl"
    write_cases(cases, [{"id": "a", "prompt": "install nginx"}])
    before = cases.read_bytes()
    os.link(cases, tmp_path / "hard.jsonl")
    (tmp_path / "sub").mkdir()
    for output in ("in.jsonl", "sub/../in.jsonl", "hard.jsonl"):
        result = cli(answers, "batch", "in.jsonl", "-o", output, "--no-lint", cwd=tmp_path)
        assert result.returncode == 2 and "input file itself" in one_line_error(result)
        assert cases.read_bytes() == before


def test_batch_refuses_an_output_that_is_not_a_batch_output(answers, tmp_path):
    cases, mine = tmp_path / "in.jsonl", tmp_path / "site.yml"
    write_cases(cases, [{"id": "a", "prompt": "install nginx"}])
    mine.write_text("- hosts: all\n  tasks: []\n")
    result = cli(answers, "batch", str(cases), "-o", str(mine), "--no-lint")
    assert result.returncode == 2 and "not a batch output" in one_line_error(result)
    assert mine.read_text() == "- hosts: all\n  tasks: []\n"


@pytest.mark.parametrize("line, message", [
    (b"[" * 200_000 + b"]" * 200_000, "nested too deeply"),
    (b'{"id": "a", "prompt": ' + b"[" * 5000 + b"]" * 5000 + b"}", "nested too deeply"),
    (b'{"id": "a", "prompt": "install \xff nginx"}', "not valid UTF-8"),
    (b'{"id": "a", "prompt": "install \\udcff nginx"}', "not valid Unicode"),
    (b'{"id": "a", "prompt": "' + b"x" * (2 * 1024 * 1024) + b'"}', "longer than"),
    (b'{"id": "a", "prompt": ' + b"9" * 10_000 + b"}", "not valid JSON"),
    (b'{"id": ["a"], "prompt": "install nginx"}', "needs"),
    (b'{"id": "a", "prompt": "install nginx", "context": 3}', "must be a string"),
])
def test_batch_hostile_line_is_one_line_error_and_writes_nothing(answers, tmp_path, line, message):
    cases, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    cases.write_bytes(b'{"id": "ok", "prompt": "install nginx"}\n' + line + b"\n")
    result = cli(answers, "batch", str(cases), "-o", str(out), "--no-lint")
    assert result.returncode == 2 and "in.jsonl:2" in one_line_error(result) and message in result.stderr
    assert not out.exists()


@pytest.mark.parametrize("stop, code", [(signal.SIGTERM, 130), (signal.SIGKILL, -signal.SIGKILL)])
def test_batch_stopped_by_a_signal_keeps_every_finished_record(answers, tmp_path, stop, code):
    cases, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    all_cases = [{"id": f"c{i}", "prompt": ["install nginx", "start nginx"][i % 2]} for i in range(12)]
    write_cases(cases, all_cases)
    calls = tmp_path / "calls"
    proc = subprocess.Popen([sys.executable, "-c", SLOW_CLI, "1", str(calls), "batch", str(cases), "-o", str(out),
                             "--no-lint"], env=env_for(answers), cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            if calls.exists() and calls.read_text().count("\n") >= 5:  # four cases done, the fifth in flight
                break
            time.sleep(0.02)
        assert proc.poll() is None, proc.communicate()[1]
        proc.send_signal(stop)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == code and "Traceback" not in err, err
    kept = jsonl(out)  # every line is a whole record
    assert 4 <= len(kept) < 12 and all(r["valid"] for r in kept)
    assert 4 <= len(kept) < 12 and [r["id"] for r in kept] == [c["id"] for c in all_cases[:len(kept)]]
    resumed = cli(answers, "batch", str(cases), "-o", str(out), "--no-lint")
    assert resumed.returncode == 0
    final = jsonl(out)
    assert [r["id"] for r in final] == [c["id"] for c in all_cases] and final[:len(kept)] == kept


# --- the lint scratch folder -----------------------------------------------------------------

def test_lint_leaves_no_scratch_folder(answers, tmp_path):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    result = cli(answers, "task", "install nginx", extra_env={"TMPDIR": str(scratch)})
    assert result.returncode == 0, result.stderr
    assert not list(scratch.glob("codegen-lint-*"))
    failing = ("import ansiblelint.app, os\n"
               "class Broken:\n    def __init__(self, *a, **k): raise RuntimeError('no linter')\n"
               "ansiblelint.app.App = Broken\n"
               "from codegen.validate.lint import linter\n"
               "try:\n    linter()\nexcept RuntimeError:\n    pass\n"
               "print(sorted(n for n in os.listdir(os.environ['TMPDIR']) if n.startswith('codegen-lint-')))\n")
    out = subprocess.run([sys.executable, "-c", failing], capture_output=True, text=True, timeout=300, cwd=tmp_path,
                         env=env_for(answers, TMPDIR=str(scratch)))
    assert out.stdout.strip() == "[]", out.stdout + out.stderr  # removed at once, not only at exit
    assert not list(scratch.glob("codegen-lint-*"))


# --- fuzzing batch input ---------------------------------------------------------------------

FUZZ_SECONDS = 30  # the fuzz test stops generating after this long
FUZZ_RUNS: list[int] = []  # the exit code of each run


class OutOfTime(Exception):
    pass

_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30)
_json = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                                          max_size=4), max_leaves=12)
_prompts = st.sampled_from(["install nginx", "start nginx", "frobnicate", "", "   ", " & ", "install nginx & start nginx",
                            "install \udcff nginx", "\x00", "x" * 10_001]) | st.text(max_size=60)
_cases = st.fixed_dictionaries(
    {"id": st.text(min_size=1, max_size=12) | _json, "prompt": _prompts | _json},
    optional={"context": st.none() | st.text(max_size=200) | _json, "other": _json})
_case_lines = _cases.map(lambda case: json.dumps(case).encode())
_lines = st.one_of(
    _case_lines,
    _case_lines.flatmap(lambda raw: st.integers(0, len(raw)).map(lambda cut: raw[:cut])),  # truncated JSON
    st.binary(max_size=120),                                                               # anything at all
    st.text(max_size=120).map(str.encode),
    _json.map(lambda value: json.dumps(value).encode()),                                   # JSON, wrong shape
    st.integers(1, 300_000).map(lambda n: b"[" * n + b"]" * n),                            # nesting
    st.integers(1, 50_000).map(lambda n: b'{"id": "deep", "prompt": "x", "context": ' + b'{"a":' * n + b"1"
                               + b"}" * n + b"}"),
    st.sampled_from([1000, 1024 * 1024, 3 * 1024 * 1024]).map(                             # huge strings
        lambda n: b'{"id": "big", "prompt": "install nginx", "context": "' + b"x" * n + b'"}'),
    _case_lines.map(lambda raw: raw[:-1] + b', "x": "\xff\xfe"}'),                          # invalid UTF-8
    st.sampled_from([b'{"id": "a", "prompt": "x", "id": "b"}', b'{"id": "n", "prompt": ' + b"9" * 5000 + b"}",
                     b'{"id": "n", "prompt": NaN}', b"\xef\xbb\xbf{}", b"\r", b"\x00"]),
)
_files = st.tuples(st.lists(_lines, max_size=5), st.sampled_from([b"\n", b"\r\n"])).map(lambda t: t[1].join(t[0]))


@pytest.fixture
def restore_signals():
    """batch turns SIGTERM/SIGINT into KeyboardInterrupt; in-process, give pytest its own back."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")  # the last input's repr: megabytes
def test_batch_input_fuzz(answers, tmp_path_factory, restore_signals):
    """Random and hostile input files through the batch command (in process: thousands of runs in
    the time a few dozen processes take; the hostile classes also run as real processes above).
    Each run: no traceback, exit 0/1/2 as documented; exit 2 writes nothing; 0/1 writes exactly one
    record per input line, in order, and 0 only when every record is valid; the input never changes."""
    from click.testing import CliRunner

    from codegen.cli import main

    started = time.monotonic()
    env = {"ANSIBLE_CODEGEN_TEST_BACKEND": f"scripted:{answers}"}

    @settings(max_examples=100_000, deadline=None, database=None,
              suppress_health_check=list(HealthCheck), phases=[Phase.generate])
    @given(data=_files)
    def fuzz_batch_input(data):
        if time.monotonic() - started > FUZZ_SECONDS:
            raise OutOfTime  # hypothesis has no time limit: this ends the run (caught below)
        folder = tmp_path_factory.mktemp("fuzz")
        source, out = folder / "in.jsonl", folder / "out.jsonl"
        source.write_bytes(data)
        result = CliRunner().invoke(main, ["batch", str(source), "-o", str(out), "--no-lint"], env=env)
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
        assert "Traceback" not in result.output and result.exit_code in (0, 1, 2), result.output
        FUZZ_RUNS.append(result.exit_code)
        assert source.read_bytes() == data
        if result.exit_code == 2:
            assert not out.exists()
            lines = [line for line in result.stderr.splitlines() if line.strip()]
            assert len(lines) == 1 and lines[0].startswith("ansible-codegen: error:"), result.stderr
            return
        given_ids = [json.loads(raw)["id"] for raw in data.split(b"\n") if raw.decode("utf-8").strip()]
        records = jsonl(out)
        assert [r["id"] for r in records] == given_ids
        assert (result.exit_code == 0) == all(r["valid"] for r in records)

    try:
        fuzz_batch_input()
    except OutOfTime:
        pass
    codes = {code: FUZZ_RUNS.count(code) for code in sorted(set(FUZZ_RUNS))}
    print(f"batch fuzz: {len(FUZZ_RUNS)} inputs in {time.monotonic() - started:.0f} s, exit codes {codes}")
    assert len(FUZZ_RUNS) >= 50  # a run that tried almost nothing proves nothing


def test_a_batch_record_is_one_line_whatever_its_values_hold():
    """U+0085 and U+2028/9 are line breaks to str.splitlines (found by the batch fuzz: an id held \\x85)."""
    from codegen.batch import _lines

    text = _lines([{"id": "a\x85b\u2028c\u2029d\x1de", "prompt": "x"}])
    assert len(text.splitlines()) == 1
    assert json.loads(text) == {"id": "a\x85b\u2028c\u2029d\x1de", "prompt": "x"}
