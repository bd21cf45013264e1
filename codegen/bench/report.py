"""The bench report: its table and its JSON file.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path


def _cell(value) -> str:
    if not isinstance(value, dict):
        return "-"
    if "skipped" in value:
        return "skipped"
    median = value["median"]
    fmt = (lambda v: f"{v:.3g}") if abs(median) < 1000 else (lambda v: f"{v:.0f}")
    return f"{fmt(median)} ({fmt(value['min'])}-{fmt(value['max'])})"


def table_rows(report: dict) -> list[list[str]]:
    rows = []
    for name, figure in report["figures"].items():
        if "skipped" in figure:
            rows.append([name, "-", "skipped", figure["skipped"], "-"])
            continue
        base = figure["baselines"]
        others = ", ".join(f"{k}: {_cell(v)}" for k, v in base.items() if k not in ("transformers_generate", "llama_cpp"))
        rows.append([name, figure["unit"], _cell(figure["ours"]),
                     _cell(base.get("transformers_generate")) if "transformers_generate" in base else others or "-",
                     _cell(base.get("llama_cpp")) if "llama_cpp" in base
                     else f"identical: {figure['identical_outputs']}" if "identical_outputs" in figure else "-"])
    if "bandwidth" not in report:
        return rows
    floors = report["bandwidth"]["floor_tok_s"]
    rows.append(["decode floor (bandwidth)", "tok/s", f"{floors['ours']:.0f}",
                 f"{floors['transformers_generate']:.0f}",
                 f"{floors['llama_cpp']:.0f}" if "llama_cpp" in floors else "-"])
    rows.append(["read bandwidth", "GB/s", _cell(report["bandwidth"]["read_gb_s"]), "", ""])
    return rows


def print_table(report: dict, file=None) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"ansible-codegen bench: median (min-max) over {report['settings']['runs']} runs")
    for column in ("figure", "unit", "ours", "model.generate / tool / off", "llama.cpp"):
        table.add_column(column)
    for row in table_rows(report):
        table.add_row(*row)
    Console(file=file or sys.stdout, width=140).print(table)


def write_report(report: dict, path: Path) -> None:
    from codegen.atomic import write_text

    write_text(path, json.dumps(report, indent=2) + "\n")
