"""Make torch importable after ansible.

ansible-core replaces `sys.intern` with a callable object (so str subclasses are accepted);
`torch._dynamo`'s import registers a polyfill for `sys.intern` and refuses anything that is not
a function. Importing torch's pieces with the original `sys.intern` in place, then putting
ansible's patch back, lets both live in one process whatever was imported first.
"""
from __future__ import annotations

import contextlib
import sys
import types


@contextlib.contextmanager
def original_sys_intern():
    current = sys.intern
    original = getattr(type(current), "unpatched_implementation", None)
    if original is None or isinstance(current, types.BuiltinFunctionType):
        yield
        return
    sys.intern = original
    try:
        yield
    finally:
        sys.intern = current


def import_torch_stack() -> None:
    """Import torch, torch._dynamo and transformers' generation code safely."""
    with original_sys_intern():
        import torch  # noqa: F401
        import torch._dynamo  # noqa: F401
        import transformers.generation.utils  # noqa: F401
