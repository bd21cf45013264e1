"""`eval` resumes only rows of the same system, model, adapter and case."""
import json

from codegen.evaluation import run as ev


class CountingPipeline:
    """Answers every request with a fixed debug task, and counts the calls."""

    def __init__(self, catalog):
        self.catalog, self.calls = catalog, 0

    def one_task(self, request, context=None):
        self.calls += 1
        return f"- name: {request}\n  ansible.builtin.debug:\n    msg: hi\n", []


CASES = [{"id": "a", "request": "Say hi", "completion": "  ansible.builtin.debug:\n    msg: hi\n"},
         {"id": "b", "request": "Say hello", "completion": "  ansible.builtin.debug:\n    msg: hello\n"}]


def test_resume_reuses_only_rows_with_the_same_key(catalog, tmp_path):
    one = {"base": "default", "adapter": "aaa", "max_new_tokens": 200}
    pipeline = CountingPipeline(catalog)
    rows = ev.run_system("adapter", CASES, pipeline, None, tmp_path, identity=one)
    assert pipeline.calls == 2 and rows[0]["module_match"] == 1.0
    ev.run_system("adapter", CASES, pipeline, None, tmp_path, identity=one)
    assert pipeline.calls == 2  # resumed: nothing asked again

    changed = [CASES[0], {**CASES[1], "request": "Say hello twice"}]
    ev.run_system("adapter", changed, pipeline, None, tmp_path, identity=one)
    assert pipeline.calls == 3  # same id, other prompt: asked again

    ev.run_system("adapter", changed, pipeline, None, tmp_path, identity={**one, "adapter": "bbb"})
    assert pipeline.calls == 5  # another adapter: every row again
    lines = (tmp_path / "adapter.jsonl").read_text().splitlines()
    assert len(lines) == 2 and {json.loads(line)["id"] for line in lines} == {"a", "b"}


def test_model_identity_follows_the_adapter_bytes(tmp_path):
    adapter = tmp_path / "adapter"
    adapter.mkdir()
    (adapter / "adapter_model.safetensors").write_bytes(b"one")
    first = ev.model_identity(None, str(adapter), 200)
    (adapter / "adapter_model.safetensors").write_bytes(b"two")
    assert ev.model_identity(None, str(adapter), 200)["adapter"] != first["adapter"]
    assert ev.model_identity(None, None, 200)["adapter"] is None


PLAIN = {"request": "install htop and tmux", "modules": ["ansible.builtin.package", "ansible.builtin.apt"],
         "values": {"name": ["htop", "tmux"]}}


def test_plain_request_scoring(catalog):
    from codegen.evaluation.plain import score_plain

    right = "- name: Install htop and tmux\n  ansible.builtin.apt:\n    name: [htop, tmux]\n    state: present\n"
    assert score_plain(PLAIN, right, catalog) == {"correct": 1.0, "module_match": 1.0, "values_match": 1.0,
                                                  "unasked_condition": 0.0}
    short = "- name: x\n  ansible.builtin.package:\n    pkg: htop\n"  # an alias, one package missing
    assert score_plain(PLAIN, short, catalog)["values_match"] == 0.0
    guarded = right + "  when: ansible_facts['os_family'] == 'Debian'\n"
    scored = score_plain(PLAIN, guarded, catalog)
    assert scored["correct"] == 1.0 and scored["unasked_condition"] == 1.0
    assert score_plain({**PLAIN, "condition": True}, guarded, catalog)["unasked_condition"] == 0.0
    wrong = "- name: x\n  ansible.builtin.file:\n    path: /tmp/htop\n"
    assert score_plain(PLAIN, wrong, catalog)["correct"] == 0.0
    one_of = {"request": "r", "modules": ["ansible.builtin.service"], "values": {"name": ["sshd", "ssh"]}}
    assert score_plain(one_of, "- name: x\n  ansible.builtin.service:\n    name: ssh\n", catalog)["correct"] == 1.0


def test_shipped_plain_request_set_is_well_formed(catalog):
    from pathlib import Path

    from codegen.evaluation.plain import load_plain

    cases = load_plain(Path(__file__).resolve().parent.parent / "eval" / "plain" / "requests.yml")
    assert len(cases) >= 80 and len({c["request"] for c in cases}) == len(cases)
    for case in cases:
        for module in case["modules"]:
            assert catalog.resolve(module) is not None, module
