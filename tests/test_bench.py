"""`ansible-codegen bench` on the tiny random model: every figure as median/min/max with baselines."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from codegen.bench.common import Settings, _repeat, percentile, stats
from codegen.bench.llama_baseline import gguf_bytes_per_token
from codegen.bench.processes import timed_process

BIN = str(Path(sys.executable).parent / "ansible-codegen")
SPEEDUPS = {"prompt_lookup_decode_tok_s", "prefix_cache_first_token_s"}
FIGURES = {"cold_cli_s", "warm_latency_p50_s", "warm_latency_p95_s", "first_token_s", "decode_tok_s",
           "validation_ms", "catalog_load_s", "peak_memory_mb"} | SPEEDUPS
MODEL_FIGURES = {"cold_cli_s", "warm_latency_p50_s", "warm_latency_p95_s", "first_token_s", "decode_tok_s",
                 "peak_memory_mb"}


def _is_stats(value, runs: int) -> bool:
    return (isinstance(value, dict) and set(value) == {"median", "min", "max", "runs"} and len(value["runs"]) == runs
            and value["min"] <= value["median"] <= value["max"])


def test_bench_on_the_tiny_model_writes_every_figure(tiny_model_dir, tmp_path, catalog):
    out = tmp_path / "bench.json"
    prompts = tmp_path / "prompts.txt"
    prompts.write_text("install nginx\n# a comment\n{\"id\": \"b\", \"prompt\": \"start nginx\"}\n")
    result = subprocess.run([BIN, "bench", "--runs", "2", "--warmup", "0", "--base", str(tiny_model_dir),
                             "--adapter", "none", "--prompts", str(prompts), "--bandwidth-mb", "64", "-o", str(out)],
                            capture_output=True, text=True, timeout=900, env={**os.environ})
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(out.read_text())
    assert report["settings"]["prompts"] == ["install nginx", "start nginx"]
    assert set(report["figures"]) == FIGURES
    for name, figure in report["figures"].items():
        assert _is_stats(figure["ours"], 2), name
        assert figure["unit"] and figure["description"] and figure["baselines"], name
        measured = [v for v in figure["baselines"].values() if "skipped" not in v]
        assert measured and all(_is_stats(v, 2) for v in measured), name
    for name in MODEL_FIGURES:
        baselines = report["figures"][name]["baselines"]
        assert _is_stats(baselines["transformers_generate"], 2), name
        llama = baselines["llama_cpp"]
        assert _is_stats(llama, 2) or "skipped" in llama  # a folder base has no GGUF for llama.cpp
    assert "ansible_lint" in report["figures"]["validation_ms"]["baselines"]
    assert "ansible_doc" in report["figures"]["catalog_load_s"]["baselines"]
    bandwidth = report["bandwidth"]
    assert _is_stats(bandwidth["read_gb_s"], 2) and bandwidth["read_gb_s"]["median"] > 0
    assert bandwidth["weight_bytes_per_token"]["ours"] > 0
    assert report["figures"]["decode_tok_s"]["floor_tok_s"] == bandwidth["floor_tok_s"]
    # peak memory is the child's own (VmHWM), not this big process's RSS at fork
    assert 10 < report["figures"]["peak_memory_mb"]["ours"]["median"] < 4000
    assert "cold_cli_s" in result.stdout and "decode floor" in result.stdout
    lookup = report["figures"]["prompt_lookup_decode_tok_s"]
    assert _is_stats(lookup["baselines"]["lookup_off"], 2) and "identical_outputs" in lookup
    assert _is_stats(report["figures"]["prefix_cache_first_token_s"]["baselines"]["prefix_cache_off"], 2)


def test_bench_speedups_only_is_short(tiny_model_dir, tmp_path, catalog):
    out = tmp_path / "bench.json"
    result = subprocess.run([BIN, "bench", "--speedups-only", "--runs", "2", "--warmup", "0", "--base",
                             str(tiny_model_dir), "--adapter", "none", "-o", str(out)],
                            capture_output=True, text=True, timeout=600, env={**os.environ}, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(out.read_text())
    assert set(report["figures"]) == SPEEDUPS and report["settings"]["speedups_only"]
    for figure in report["figures"].values():
        assert _is_stats(figure["ours"], 2) and all(_is_stats(v, 2) for v in figure["baselines"].values())
        # a random model's near-ties may differ in rare positions; the count itself must be there
        done, total = map(int, figure["identical_outputs"].split("/"))
        assert total == 2 * len(report["settings"]["prompts"]) and 0 <= done <= total
    assert "prompt_lookup_decode_tok_s" in result.stdout


def test_bench_bad_prompts_file_is_one_line(tmp_path):
    bad = tmp_path / "p.txt"
    bad.write_text("\n# only a comment\n")
    result = subprocess.run([BIN, "bench", "--prompts", str(bad), "-o", str(tmp_path / "b.json")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "no prompts" in result.stderr
    assert result.stderr.strip().count("\n") == 0 and not (tmp_path / "b.json").exists()


def test_warmup_runs_are_not_measured():
    calls = []
    values = _repeat(Settings(runs=3, warmup=2), lambda: calls.append(1) or float(len(calls)), lambda m: None, "x")
    assert values == [3.0, 4.0, 5.0]


def test_stats_and_percentile():
    assert stats([3, 1, 2]) == {"median": 2, "min": 1, "max": 3, "runs": [3, 1, 2]}
    assert percentile([1, 2, 3, 4, 5], 0.5) == 3
    assert percentile([1, 2, 3, 4, 5], 0.95) == pytest.approx(4.8)
    assert percentile([7], 0.95) == 7


def test_child_peak_memory_is_its_own():
    run = timed_process([sys.executable, "-c", "x = bytearray(200 * 1024 * 1024); print(len(x))"])
    assert run.returncode == 0 and run.stdout.strip() == str(200 * 1024 * 1024)
    assert 200 <= run.maxrss_mb < 400


def test_gguf_header_sizes(tmp_path):
    """A hand-made GGUF: sizes come from the tensor offsets; a tied model reads its whole embedding table."""
    import struct

    def string(text: str) -> bytes:
        return struct.pack("<Q", len(text)) + text.encode()

    header = b"GGUF" + struct.pack("<IQQ", 3, 2, 2)
    header += string("general.alignment") + struct.pack("<II", 4, 32)
    header += string("tokenizer.ggml.tokens") + struct.pack("<IIQ", 9, 8, 3) + string("a") + string("bb") + string("c")
    header += string("token_embd.weight") + struct.pack("<I", 2) + struct.pack("<QQ", 4, 8) + struct.pack("<IQ", 0, 0)
    header += string("blk.0.ffn_up.weight") + struct.pack("<I", 1) + struct.pack("<Q", 16) + struct.pack("<IQ", 0, 128)
    header += b"\0" * (-len(header) % 32)
    path = tmp_path / "tiny.gguf"
    path.write_bytes(header + b"\1" * 128 + b"\2" * 64)
    assert gguf_bytes_per_token(path) == 192


def test_bench_on_requests_in_their_files_times_both_trees(tiny_model_dir, tmp_path, catalog):
    """JSONL prompts with a file context: the requests benchmark, this tree against a checkout."""
    out = tmp_path / "bench.json"
    cases = tmp_path / "cases.jsonl"
    context = "- name: Earlier\n  ansible.builtin.ping:\n"
    cases.write_text("".join(json.dumps({"id": f"c{i}", "prompt": p, "context": context}) + "\n"
                             for i, p in enumerate(["install nginx", "start nginx"])))
    root = Path(__file__).resolve().parents[1]
    result = subprocess.run([BIN, "bench", "--runs", "1", "--prompts", str(cases), "--base", str(tiny_model_dir),
                             "--adapter", "none", "--against", str(root), "--no-cold", "-o", str(out)],
                            capture_output=True, text=True, timeout=900, env={**os.environ})
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(out.read_text())
    assert set(report["figures"]) == {"ours", "against"}
    for tree in ("ours", "against"):
        for set_name, count in (("realistic", 2), ("short", 5)):
            figure = report["figures"][tree][set_name]
            assert 0 < figure["p50"] <= figure["p95"] <= figure["max"]
            assert figure["tries"] >= 1 and figure["tokens"] > 0
            assert set(figure["breakdown"]) == {"prefill", "decode", "constraint", "validation", "lint", "other"}
            assert figure["breakdown"]["prefill"] > 0
            rows = report["raw"][tree][0]["sets"][set_name]
            assert len(rows) == count and all(r["tries"] >= 1 for r in rows)
    # the same tree twice: the same answers, request by request
    assert report["identical"]["realistic"][0]["same_yaml"] == 2
    assert "where the time goes" in result.stdout


def test_bench_against_needs_requests_with_context(tmp_path):
    prompts = tmp_path / "p.txt"
    prompts.write_text("install nginx\n")
    result = subprocess.run([BIN, "bench", "--prompts", str(prompts), "--against", str(tmp_path),
                             "-o", str(tmp_path / "b.json")], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "--against needs" in result.stderr


def test_bench_lsp_times_a_new_server_and_each_suggestion(tmp_path):
    """`bench --lsp`'s harness: a real LSP client against `ansible-codegen lsp` (here on the scripted
    backend, so the answers are known): the first suggestion after start-up, then one per request."""
    pytest.importorskip("pygls")
    from codegen.bench.lsp import run_lsp_bench

    script = tmp_path / "script.json"
    script.write_text(json.dumps({"Install nginx": "  ansible.builtin.package:\n    name: nginx\n    state: present\n",
                                  "Start nginx": "  ansible.builtin.service:\n    name: nginx\n    state: started\n"}))
    context = "- name: Earlier\n  ansible.builtin.ping:\n"
    cases = [{"id": "a", "prompt": "Install nginx", "context": context},
             {"id": "b", "prompt": "Start nginx", "indent": 4,  # typed inside the block, where the task sits
              "context": "- name: Group\n  block:\n    - name: Earlier\n      ansible.builtin.ping:\n"},
             {"id": "c", "prompt": "Install nginx", "context": ""}]
    report = run_lsp_bench(cases, 1, ["--backend-script", str(script)])
    run, summary = report["runs"][0], report["summary"]
    assert run["answered"] == 3 and len(run["seconds"]) == 2
    assert "ansible.builtin.package" in run["answers"][0]
    assert run["answers"][1].startswith("\n      ansible.builtin.service:\n")  # under the block's name line
    assert summary["first_suggestion"] > 0 and 0 < summary["p50"] <= summary["max"]


def test_bench_lsp_needs_requests_in_a_file(tmp_path):
    result = subprocess.run([BIN, "bench", "--lsp", "-o", str(tmp_path / "b.json")], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 2 and "--lsp needs" in result.stderr
