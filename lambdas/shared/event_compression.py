"""How the event store keeps an event's body: zlib with a preset dictionary, so that a stored event fits one write
unit (stdlib only: the store's writer and `ops.event_store` share it).

A body of 1-3 KB is too short for zlib to learn what every event repeats (the envelope's keys, the entities'
attribute names, the source, the detail-types, the ARNs). A preset dictionary (RFC 1950's `zdict`) gives it those
strings up front. A dictionary can never change once an item was written with it, so each one is a numbered file,
`event_dictionary_v<N>.json`, written once by `python -m devtools.event_dictionary` and pinned by a test; an item
names its dictionary by the attribute that holds the body (`rawZ1` for version 1), and items written before any
dictionary keep theirs in `rawZ`.
"""

from __future__ import annotations

import zlib
from functools import cache
from pathlib import Path

HERE = Path(__file__).resolve().parent
CURRENT_DICTIONARY = 1
PLAIN_ATTRIBUTE = "rawZ"  # zlib without a dictionary: items written before version 1


def dictionary_file(version: int) -> Path:
    return HERE / f"event_dictionary_v{version}.json"


def body_attribute(version: int) -> str:
    return f"{PLAIN_ATTRIBUTE}{version}"


@cache  # read once per process: the writer compresses every event with it
def _dictionary(version: int) -> bytes:
    return dictionary_file(version).read_bytes()


def compressed(body: str) -> tuple[str, bytes]:
    """(the attribute that holds it, the body compressed with the current dictionary)."""
    compressor = zlib.compressobj(level=9, zdict=_dictionary(CURRENT_DICTIONARY))
    return body_attribute(CURRENT_DICTIONARY), compressor.compress(body.encode()) + compressor.flush()


def body_of(item: dict[str, bytes]) -> str | None:
    """The body of a stored item's compressed attributes (`{attribute: bytes}`), or None when it has none."""
    for attribute, data in item.items():
        if attribute == PLAIN_ATTRIBUTE:
            return zlib.decompress(data).decode()
        version = attribute.removeprefix(PLAIN_ATTRIBUTE)
        if attribute.startswith(PLAIN_ATTRIBUTE) and version.isdigit():
            decompressor = zlib.decompressobj(zdict=_dictionary(int(version)))
            return (decompressor.decompress(data) + decompressor.flush()).decode()
    return None
