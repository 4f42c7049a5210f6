"""Writes a new preset dictionary for the event store's compression (lambdas/shared/event_compression.py).

`python -m devtools.event_dictionary --version N` writes `lambdas/shared/event_dictionary_v<N>.json` from one
example event of every detail-type, built by the production builders (event_contract/examples.py), the most
frequent ones (the orders') last, where zlib finds them at the shortest distance. It refuses to write a version that
exists: items written with a dictionary are read with it for as long as they are kept. Using the new version is a
change of `CURRENT_DICTIONARY`, reviewed with the sizes `make cost` and the footprint test then show.
"""

from __future__ import annotations

import argparse
import json

from event_contract.examples import example_event
from event_contract.schemas import DETAIL_TYPES
from lambdas.shared.event_compression import dictionary_file

MOST_FREQUENT_LAST = ("Customer", "Product", "Order")


def dictionary_text() -> str:
    unranked = {d.entity.name for d in DETAIL_TYPES} - set(MOST_FREQUENT_LAST)
    if unranked:
        raise SystemExit(f"entities without a place in MOST_FREQUENT_LAST: {sorted(unranked)}")
    ordered = sorted(DETAIL_TYPES, key=lambda d: MOST_FREQUENT_LAST.index(d.entity.name))
    return "\n".join(json.dumps(example_event(d), separators=(",", ":")) for d in ordered) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", type=int, required=True)
    target = dictionary_file(parser.parse_args(argv).version)
    if target.exists():
        raise SystemExit(f"{target} exists: a dictionary items were written with never changes; take a new version")
    target.write_text(dictionary_text())
    print(f"wrote {target} ({target.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
