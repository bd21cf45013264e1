"""Measure the language server's warm request-to-answer time for one task, as an editor sees it.

    python -m tests.lsp_timing [--runs N] [-- SERVER ARGS...]

Starts `ansible-codegen lsp SERVER ARGS` (default: the embedded model and shipped adapter),
opens a playbook, makes one inline completion request to warm up, then times N more, each for a
different task name under the same play (so none is answered from the cache), from sending
`textDocument/inlineCompletion` to receiving the answer over stdio.
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from tests.lsp_helpers import Doc, inline, lsp_session

PLAY = """---
- name: Web servers
  hosts: web
  become: true
  tasks:
    - name: Create the app user
      ansible.builtin.user:
        name: deploy
        state: present

    - name: {name}
"""
NAMES = ["Start nginx", "Install nginx", "Install git", "Create directory /srv/app", "Restart the sshd service",
         "Copy files/app.conf to /etc/app.conf", "Install the htop package", "Enable and start chronyd"]


async def measure(runs: int, server_args: list[str]) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        async with lsp_session(*server_args, root=root) as client:
            timings, offered = [], 0
            for index, name in enumerate(NAMES[:runs + 1]):
                doc = Doc(client, root / f"play{index}.yml", PLAY.format(name=name))
                started = time.perf_counter()
                result = await inline(client, doc, doc.end_of(f"- name: {name}"))
                seconds = time.perf_counter() - started
                doc.close()
                if index == 0:
                    print(f"warm-up {name!r}: {seconds:.2f} s")
                    continue
                timings.append(seconds)
                offered += bool(result.items)
                print(f"{name!r}: {seconds:.2f} s, {'a task' if result.items else 'no valid task'}")
            for message in client.log_messages:
                print("  server:", message.message[:160])
    return {"runs": len(timings), "median_s": statistics.median(timings), "min_s": min(timings),
            "max_s": max(timings), "offered": offered}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("server_args", nargs="*", help="arguments for `ansible-codegen lsp` (after --)")
    args = parser.parse_args()
    summary = asyncio.run(measure(max(1, min(args.runs, len(NAMES) - 1)), args.server_args))
    print(f"warm request to answer, one task: median {summary['median_s']:.2f} s "
          f"(min {summary['min_s']:.2f}, max {summary['max_s']:.2f}, {summary['runs']} runs, "
          f"{summary['offered']} offered a task)")


if __name__ == "__main__":
    main()
