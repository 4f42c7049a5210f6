"""`python -m local_cloud.pipes --port 4566`: run the deployed app's pipes against the emulator until stopped."""

from __future__ import annotations

import argparse
import logging

from local_cloud.pipes.runner import PipesRunner
from local_cloud.settings import ASSEMBLY_DIR, DEFAULT_PORT, LocalCloud


def main() -> None:
    cli = argparse.ArgumentParser(prog="python -m local_cloud.pipes", description=__doc__)
    cli.add_argument("--port", type=int, default=DEFAULT_PORT, help="the emulator's port on 127.0.0.1")
    args = cli.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(threadName)s: %(message)s")
    logging.getLogger("botocore").setLevel(logging.WARNING)
    PipesRunner(LocalCloud(args.port), ASSEMBLY_DIR).run_forever()


if __name__ == "__main__":
    main()
