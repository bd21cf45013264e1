"""Write files and folders atomically: a reader never sees a half-written result, and an
interruption at any point leaves either the old content or the new one, never neither.

A replaced file keeps its permissions and, when the path is a symbolic link, the link: the
target is what gets replaced. A new file gets the mode any other program would give it (0666
less the umask), not the private 0600 of a temporary file.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import signal
import stat
import tempfile
from pathlib import Path
from typing import Iterator

_STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


def real_path(path: str | os.PathLike) -> Path:
    """Where a write to `path` must land: a symlink's final target (the link itself stays)."""
    return Path(os.path.realpath(path))


def same_file(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    """True when both paths name one file (also via links, `..`, or a second hard link)."""
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet): compare where they would land
        return real_path(a) == real_path(b)


def _umask() -> int:
    """The process umask, read without changing it (os.umask would, for a moment, for all threads)."""
    with contextlib.suppress(OSError, ValueError):
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    old = os.umask(0o022)
    os.umask(old)
    return old


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Hold off Ctrl-C and SIGTERM for a few system calls that must not be split (they arrive right after)."""
    try:
        old = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
    except (AttributeError, ValueError, OSError):  # no sigmask on this platform
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def write_text(path: str | os.PathLike, text: str) -> None:
    path = real_path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fchmod(fh.fileno(), mode)
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _sync_dir(path.parent)


def _sync_dir(folder: Path) -> None:
    """Make a rename durable (the folder's entry), where the platform allows it."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def backup_name(target: Path) -> Path:
    """A visible, unused sibling name for the old `target` while it is being replaced. A backup an
    earlier, interrupted run left is never reused (it may hold the only copy of someone's work)."""
    candidate, number = target.with_name(f"{target.name}.old"), 1
    while os.path.lexists(candidate):
        number += 1
        candidate = target.with_name(f"{target.name}.old{number}")
    return candidate


@contextlib.contextmanager
def staged_dir(target: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary sibling folder; on success it replaces `target`.

    The old folder is first renamed to a visible backup (backup_name), the new one renamed into
    place, and only then the backup removed: a stop between the renames (even SIGKILL) leaves the
    old content under the visible name; Ctrl-C and SIGTERM are held off across the two renames."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        yield tmp
        if target.exists():
            old = backup_name(target)
            with signals_held():
                os.rename(target, old)
                os.rename(tmp, target)
            _sync_dir(target.parent)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
