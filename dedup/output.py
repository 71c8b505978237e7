"""Writing an output file the way users expect of a command-line tool.

:func:`write_output` writes a regular file atomically (a temporary file beside it,
renamed into place), so a failed or interrupted run never leaves a partial file, and
no temporary file outlives the call (a ``KeyboardInterrupt`` or any other exception
removes it). Beyond that it keeps the path what the user meant it to be:

- a new file gets the permissions the umask gives any new file (0644 under 022);
- an existing file keeps its mode;
- a symbolic link is followed: its target is replaced and the link kept;
- a file with several hard links is rewritten in place, so the links stay one file;
- a special file (``/dev/null``, ``/dev/stdout``, a FIFO, a terminal, any character
  device) is opened and written directly, never replaced;
- a full disk (``ENOSPC``) or any other ``OSError`` is one :class:`~dedup.errors.DedupError`
  naming the path.

Text is written as UTF-8. A lone surrogate (from a file name that is not valid UTF-8,
or an argument such as ``--title $'\\xff'``) cannot be encoded; it is written as
U+FFFD instead, so no output ever fails on it (:func:`printable`).
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import stat

from .errors import DedupError

__all__ = ["printable", "visible", "write_output"]

_SURROGATE = re.compile("[\ud800-\udfff]")
# C0 and C1 controls (newline and tab too), DEL, and the bidirectional overrides that
# can reorder what a terminal shows.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` with lone surrogates replaced by U+FFFD, so it encodes as UTF-8.

    >>> printable("caf\\udce9.txt")
    'caf\\ufffd.txt'
    """
    return _SURROGATE.sub("\ufffd", text)


def _show(m: re.Match[str]) -> str:
    ch = m.group()
    return {"\n": "\\n", "\t": "\\t", "\r": "\\r"}.get(ch, f"\\x{ord(ch):02x}"
                                                      if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")


def visible(text: str) -> str:
    """One line of ``text`` that cannot drive a terminal: control characters (escape,
    newline, bell, bidirectional overrides) shown as ``\\x1b``-style escapes, lone
    surrogates as U+FFFD.

    >>> visible("a\\x1b]0;PWNED\\x07b\\nc")
    'a\\\\x1b]0;PWNED\\\\x07b\\\\nc'
    """
    return printable(_CONTROL.sub(_show, text))


def _message(path: str, e: OSError) -> str:
    if e.errno == errno.ENOSPC:
        return f"{visible(path)}: cannot write: no space left on device"
    return f"{visible(path)}: cannot write: {e.strerror or e}"


def _resolve(path: str) -> str:
    """Where the data should go: the end of the symlink chain (as far as it exists),
    or ``path`` itself when it is not a link."""
    seen = 0
    while os.path.islink(path) and seen < 40:
        target = os.readlink(path)
        path = os.path.join(os.path.dirname(path), target)
        seen += 1
    return path


def _direct(path: str) -> bool:
    """Whether ``path`` must be written in place rather than replaced: a special file,
    anything under /dev or /proc (``/dev/stdout`` may lead to a regular file that the
    shell opened for us), or a regular file with several hard links."""
    if os.path.abspath(path).startswith(("/dev/", "/proc/")):
        return True
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return False
    return not stat.S_ISREG(st.st_mode) or st.st_nlink > 1


def _write_direct(path: str, data: bytes) -> None:
    with open(path, "wb") as f:
        f.write(data)


def _write_replace(path: str, data: bytes) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    try:
        old = os.stat(path)
    except FileNotFoundError:
        old = None
    # 0o666 through the umask, as for any new file; an existing file's mode is set below.
    tmp = os.path.join(directory, f".{os.path.basename(path)}.dedup-{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0),
                 0o666)
    try:
        try:
            if old is not None:
                os.fchmod(fd, stat.S_IMODE(old.st_mode))
                if hasattr(os, "fchown") and (old.st_uid, old.st_gid) != (os.getuid(),
                                                                          os.getgid()):
                    try:
                        os.fchown(fd, old.st_uid, old.st_gid)
                    except OSError:
                        pass  # not ours to give away; the mode is kept all the same
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_output(path: str, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path``; see the module docstring for the rules.

    >>> import os, tempfile
    >>> d = tempfile.mkdtemp()
    >>> write_output(os.path.join(d, "out.txt"), "caf\\udce9\\n")
    >>> open(os.path.join(d, "out.txt"), encoding="utf-8").read()
    'caf\\ufffd\\n'
    """
    data = printable(text).encode("utf-8")
    try:
        target = _resolve(path)
        if _direct(path) or _direct(target):
            _write_direct(path, data)
        else:
            _write_replace(target, data)
    except OSError as e:
        raise DedupError(_message(path, e)) from e
