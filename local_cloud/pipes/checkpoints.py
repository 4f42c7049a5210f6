"""Where each stream pipe has got to in each shard, kept on disk so that the runner survives its own restart.

Pipes keeps a stream pipe's position in the service: a pipe resumes after the last batch it finished, however its
pollers come and go. The runner kept positions in memory only, so a restarted runner began again at the pipe's
`StartingPosition` (LATEST: the changes made while it was down never published; TRIM_HORIZON: a day of changes
published twice). Each committed batch now writes its last sequence number here, by pipe, stream and shard, and a
runner that starts reads a shard from just after it (`AFTER_SEQUENCE_NUMBER`). A position of another stream (the
emulator restarted without its data: new stream ARNs) is never used.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path


class Checkpoints:
    """The positions, read from `file` once and written back whole at every commit (one runner writes them)."""

    def __init__(self, file: Path) -> None:
        self._file = file
        self._lock = threading.Lock()
        self._positions = _read(file)

    def position(self, pipe: str, stream_arn: str, shard_id: str) -> str | None:
        """The last sequence number committed in that shard, if any."""
        with self._lock:
            return self._positions.get(f"{pipe}|{stream_arn}", {}).get(shard_id)

    def commit(self, pipe: str, stream_arn: str, shard_id: str, sequence_number: str) -> None:
        with self._lock:
            self._positions.setdefault(f"{pipe}|{stream_arn}", {})[shard_id] = sequence_number
            partial = self._file.with_suffix(".partial")
            partial.write_text(json.dumps(self._positions, indent=1, sort_keys=True))
            os.replace(partial, self._file)  # atomic: a runner killed mid-write leaves the previous positions


def _read(file: Path) -> dict[str, dict[str, str]]:
    try:
        found = json.loads(file.read_text())
    except (FileNotFoundError, ValueError):  # none yet, or a file that is not ours to trust
        return {}
    return found if isinstance(found, dict) else {}
