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
