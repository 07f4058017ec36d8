"""Whether a study's workers see its recordings' folder as the command's machine does.

A study's runs record into folders named on the machine running the command
(``--record``) and written by the workers. On an existing cluster whose workers do not
share that filesystem, each worker would write its runs on its own disk, out of
sight. So before the runs go out, a file with a random name and content is written into
the folder, every worker connected is asked whether it reads the same content at the
same path, and the file is removed; the folders made for the check are removed too when
it fails. Workers that join the cluster later are not asked.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from pathlib import Path

from dask.distributed import Client

PROBE_PREFIX = ".flankwatch-probe-"
"""The start of the name of the check's file (the rest is random)."""


class SharedFolderError(ValueError):
    """Some workers do not see the study's recordings' folder; the message names them."""


def check_shared(client: Client, folder: Path) -> None:
    """Raise :class:`SharedFolderError` naming the workers of ``client`` that do not read
    a file written into ``folder`` (absolute; made, with its missing parents, if absent),
    or saying why that file cannot be written."""
    token = secrets.token_hex(16)
    probe = folder / f"{PROBE_PREFIX}{token}"
    made = [path for path in (folder, *folder.parents) if not path.exists()]  # deepest first
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe.write_text(token, encoding="ascii")
    except OSError as error:
        _remove_empty(made)
        raise SharedFolderError(
            f"{folder}: cannot write into this folder ({error.strerror or error})"
        ) from None
    try:
        try:
            seen = client.run(_reads, str(probe), token)
        finally:
            probe.unlink()
    except BaseException:
        _remove_empty(made)
        raise
    blind = sorted(address for address, sees in seen.items() if not sees)
    if blind:
        _remove_empty(made)
        raise SharedFolderError(
            f"{folder}: worker(s) {', '.join(blind)} do not see this folder (a file written "
            "into it is not there for them): the folder given to --record must be on a "
            "filesystem every worker shares, at the same path"
        )


def _reads(path: str, token: str) -> bool:
    """On a worker: whether the file at ``path`` holds ``token``."""
    try:
        return Path(path).read_text(encoding="ascii") == token
    except (OSError, UnicodeDecodeError):
        return False


def _remove_empty(folders: Sequence[Path]) -> None:
    """Remove ``folders`` (deepest first, those the check made) while they are empty."""
    for path in folders:
        try:
            path.rmdir()
        except OSError:
            return  # something else wrote into it: it stays, and so do its parents
