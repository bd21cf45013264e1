"""Timing a command as a whole process: wall time and the child's own peak memory.
"""
from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time

from dataclasses import dataclass


@dataclass
class ProcessRun:
    seconds: float
    maxrss_mb: float
    returncode: int
    stdout: str
    stderr: str


def _vm_hwm_kb(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status", "rb") as fh:
            for line in fh:
                if line.startswith(b"VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def timed_process(argv: list[str], timeout: float = 900, env: dict | None = None) -> ProcessRun:
    """Run argv; wall time from spawn to exit, and the child's own peak RSS.

    The peak is the child's VmHWM (high-water RSS of its own address space), read every few
    milliseconds until it exits: wait4's ru_maxrss would also count this (large) process's RSS
    at fork time. Where /proc is missing, ru_maxrss is all there is.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env)
        peak_kb = 0
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            peak_kb = max(peak_kb, _vm_hwm_kb(proc.pid) or 0)
            if time.perf_counter() - started > timeout:
                proc.kill()
            time.sleep(0.005)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        if not peak_kb:
            peak_kb = usage.ru_maxrss if sys.platform != "darwin" else usage.ru_maxrss // 1024
        out.seek(0)
        err.seek(0)
        return ProcessRun(seconds, peak_kb / 1024, proc.returncode,
                          out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"))


def self_maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _last_line(text: str) -> str:
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    return lines[-1] if lines else "(no output)"
