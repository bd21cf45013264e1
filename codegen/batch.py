"""`ansible-codegen batch`: JSONL in, one JSONL record out per input line, in order.

The interface benchmarks and evaluations use. A failing case still gets its line (empty yaml,
the reason in problems). Each finished record is appended to the output and fsynced before the
next case starts, so a stop (Ctrl-C, SIGTERM, even SIGKILL) loses at most the case in flight; a
re-run resumes after them. A record is reused only for the same input line: it carries the hash
of its case ("input_sha256"), so editing a prompt (or context) under the same id redoes that case.
When the run ends, the output is rewritten once, atomically, in input order.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

from rich.markup import escape

from codegen.atomic import real_path, signals_held, write_text
from codegen.pipeline import MAX_PROMPT_CHARS  # a request, not a document (a document goes in "context")
from codegen.progress import bar

MAX_FILE_BYTES = 256 * 1024 * 1024  # a whole input file
MAX_LINE_BYTES = 1024 * 1024        # one case: a prompt and a context file
MAX_ID_CHARS = 1000
FIELDS = ("id", "prompt", "context", "path")  # path: the file the task goes into (its workspace is read)


def read_cases(path: Path) -> list[dict]:
    """Validate the whole input before any work, so bad input fails fast and writes nothing.
    Every problem is a ValueError with a one-line message naming the line."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ValueError(f"{path}: larger than {MAX_FILE_BYTES // 2**20} MiB")
        with open(path, "rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ValueError(f"cannot read {path}: {exc.strerror or exc.__class__.__name__}") from exc
    if len(data) > MAX_FILE_BYTES:  # grew while being read, or not a regular file
        raise ValueError(f"{path}: larger than {MAX_FILE_BYTES // 2**20} MiB")
    cases, seen = [], set()
    for number, raw in enumerate(data.split(b"\n"), 1):
        case = _parse_line(raw, f"{path}:{number}")
        if case is None:
            continue
        if case["id"] in seen:
            raise ValueError(f"{path}:{number}: duplicate id {case['id']!r}")
        seen.add(case["id"])
        cases.append(case)
    return cases


def _parse_line(raw: bytes, where: str) -> dict | None:
    """One input line -> a case ({"id", "prompt", "context"?, "path"?}), None for a blank line."""
    if len(raw) > MAX_LINE_BYTES:
        raise ValueError(f"{where}: line longer than {MAX_LINE_BYTES // 1024} KiB")
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{where}: not valid UTF-8 (byte {exc.start + 1})") from None
    if not line.strip():
        return None
    try:
        case = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{where}: not valid JSON ({exc.msg}, column {exc.colno})") from None
    except RecursionError:
        raise ValueError(f"{where}: JSON nested too deeply") from None
    except ValueError as exc:  # e.g. an integer with more digits than Python converts
        raise ValueError(f"{where}: not valid JSON ({str(exc).splitlines()[0][:100]})") from None
    if not isinstance(case, dict) or not isinstance(case.get("id"), str) or not isinstance(case.get("prompt"), str):
        raise ValueError(f"{where}: each line needs {{\"id\": str, \"prompt\": str}}")
    for name in ("context", "path"):
        if name in case and case[name] is not None and not isinstance(case[name], str):
            raise ValueError(f"{where}: \"{name}\" must be a string")
    if isinstance(case.get("path"), str) and (not case["path"].strip() or "\0" in case["path"]
                                               or len(case["path"]) > 4096):
        raise ValueError(f"{where}: \"path\" must be a file path")
    if not case["id"].strip() or len(case["id"]) > MAX_ID_CHARS:
        raise ValueError(f"{where}: \"id\" must be 1 to {MAX_ID_CHARS} characters")
    if len(case["prompt"]) > MAX_PROMPT_CHARS:
        raise ValueError(f"{where}: \"prompt\" longer than {MAX_PROMPT_CHARS} characters")
    for name in FIELDS:
        value = case.get(name)
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:  # a "\udcff" escape: a lone surrogate, not text
                raise ValueError(f"{where}: \"{name}\" is not valid Unicode (a lone surrogate escape)") from None
    return {name: case[name] for name in FIELDS if name in case}


def input_key(case: dict) -> str:
    """What a finished record must match to be reused: the case's normalised content, not its id."""
    canonical = json.dumps({name: case.get(name) for name in FIELDS}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _records(output: Path):
    """(line, record or None) for each line of an earlier output; nothing when there is none."""
    try:
        with open(output, "rb") as fh:
            for raw in fh:
                try:
                    record = json.loads(raw)
                except (ValueError, RecursionError):
                    record = None
                yield raw, record if isinstance(record, dict) else None
    except (FileNotFoundError, IsADirectoryError):
        return


def check_output(output: Path) -> None:
    """An existing OUTPUT must be an earlier batch's output (it is resumed, then replaced): any other
    file is refused rather than overwritten. A torn last line (a SIGKILL mid-write) is allowed."""
    for raw, record in _records(output):
        torn = not raw.endswith(b"\n")
        if record is None and not torn or record is not None and not {"id", "yaml"} <= set(record):
            raise ValueError(f"-o {output} exists and is not a batch output: choose another file (or remove it)")


def _finished(output: Path, keys: set[str]) -> dict[str, dict]:
    """Records already in `output` for these input keys (from an earlier, stopped run).
    A torn last line (a SIGKILL mid-write) is not JSON and is simply redone."""
    return {record["input_sha256"]: record for _, record in _records(output)
            if record is not None and isinstance(record.get("input_sha256"), str) and record["input_sha256"] in keys}


def run_case(pipeline, case: dict) -> dict:
    started = time.perf_counter()
    try:
        record = pipeline.run(case["prompt"], context=case.get("context"), id=case["id"],
                              path=case.get("path")).record()
    except Exception as exc:  # one bad case must not lose the rest of the batch
        record = {"id": case["id"], "yaml": "", "module": None, "valid": False,
                  "problems": [f"error [generate] {exc.__class__.__name__}: {exc}"],
                  "seconds": round(time.perf_counter() - started, 3)}
    record["input_sha256"] = input_key(case)
    return record


# Characters other readers take for a line break (Python's str.splitlines, JavaScript): escaped, so
# one record is always one line of the JSONL file whatever its values hold.
_LINE_BREAKS = {"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}  # JSON escapes the ones below 0x20
_LINE_BREAK = re.compile("[" + "".join(_LINE_BREAKS) + "]")


def _lines(records) -> str:
    return "".join(_LINE_BREAK.sub(lambda m: _LINE_BREAKS[m.group()], json.dumps(r, ensure_ascii=False)) + "\n"
                   for r in records)


class _Appender:
    """The output file open for appending; every record is written whole and fsynced, with Ctrl-C
    and SIGTERM held off across the write so a record is never half-written by them."""

    def __init__(self, output: Path):
        self.fd = os.open(output, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)

    def add(self, record: dict) -> None:
        data = _lines([record]).encode("utf-8")
        with signals_held():
            while data:
                data = data[os.write(self.fd, data):]
            os.fsync(self.fd)

    def close(self) -> None:
        os.close(self.fd)


@dataclass
class BatchRun:
    finished: bool          # False when stopped (Ctrl-C, SIGTERM): the finished records are kept
    records: list[dict]     # in input order; a stopped run lacks the cases it did not reach

    def __bool__(self) -> bool:
        return self.finished

    @property
    def all_valid(self) -> bool:
        return all(r.get("valid") for r in self.records)


def run_batch(pipeline, cases: list[dict], output: Path) -> BatchRun:
    """Process every case; false when interrupted (finished records are kept)."""
    output = real_path(output)  # a symlinked output stays a link; its target is written
    keys = [input_key(c) for c in cases]
    done = _finished(output, set(keys))

    def ordered() -> str:
        return _lines(done[k] for k in keys if k in done)

    # Start from the reusable records only (a stale record for a changed prompt must not linger),
    # then append each new one as it finishes.
    write_text(output, ordered())
    appender = _Appender(output)
    stopped = False
    try:
        with bar() as progress:
            job = progress.add_task("Generating", total=len(cases), completed=len(done), info="")
            for case, key in zip(cases, keys):
                if key in done:
                    continue
                record = run_case(pipeline, case)
                done[key] = record  # first: a stop right after the append must still keep it in the final rewrite
                appender.add(record)
                progress.update(job, advance=1, info=escape(case["id"][:40]))  # an id is text, not markup
    except KeyboardInterrupt:  # Ctrl-C, or SIGTERM (the command turns it into this)
        stopped = True
    finally:
        appender.close()
    write_text(output, ordered())
    return BatchRun(not stopped, [done[k] for k in keys if k in done])
