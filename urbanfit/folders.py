"""Folders urbanfit writes to (outputs, caches): one check that they can be written."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

__all__ = ["folder_problem"]


def folder_problem(folder: Path) -> str | None:
    """
    Create ``folder`` (and its parents) if missing and write a probe in it; say what failed.

    Parameters
    ----------
    folder
        The folder to write to.

    Returns
    -------
    problem
        None when a file can be written there, else the reason in a few lower-case words
        (``"it is a file, not a folder"``, ``"file name too long"``, ``"permission denied"``),
        naming the nearest existing parent when that is the problem.
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
        Path(tempfile.mkdtemp(prefix=".urbanfit-probe-", dir=folder)).rmdir()
    except OSError as error:
        return _reason(folder, error)
    return None


def _reason(folder: Path, error: OSError) -> str:
    # os.path checks return False where Path's raise (a name too long, a path under a file)
    existing = next((p for p in (folder, *folder.parents) if os.path.exists(p)), None)  # noqa: PTH110
    if existing is not None and not os.path.isdir(existing):  # noqa: PTH112
        return "it is a file, not a folder" if existing == folder else f"{existing} is a file"
    if existing is not None and existing != folder and error.errno == errno.ENOENT:
        return f"no folder can be created in {existing}"  # it exists, yet takes none (/proc)
    return (error.strerror or str(error)).lower()
