"""`python -m local_cloud {up,deploy,first-orders,status,down} [--port N]`: the Makefile's local-* targets."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from local_cloud.deploy import deploy
from local_cloud.first_orders import first_orders
from local_cloud.processes import running_pid, start, stop
from local_cloud.services import all_services, ensure_certificate, ensure_emulator_venv
from local_cloud.settings import DEFAULT_PORT, LocalCloud, LocalCloudError


def up(cloud: LocalCloud) -> None:
    print(ensure_emulator_venv())
    print(ensure_certificate())
    started = []
    try:
        for service in all_services(cloud):
            print(start(service), flush=True)
            started.append(service)
    except LocalCloudError:
        for service in reversed(started):
            stop(service)
        raise
    print(f"AWS endpoint: {cloud.endpoint_url} (account {cloud.account}, region {cloud.region}); "
          f"next: make local-deploy")  # fmt: skip


def down(cloud: LocalCloud) -> None:
    for service in reversed(all_services(cloud)):
        print(stop(service))


def status(cloud: LocalCloud) -> None:
    for service in all_services(cloud):
        pid = running_pid(service)
        print(f"{service.where}: {'running, pid ' + str(pid) if pid else 'not running'}")


COMMANDS = {"up": up, "deploy": deploy, "first-orders": first_orders, "status": status, "down": down}


def main(argv: Sequence[str] | None = None) -> int:
    cli = argparse.ArgumentParser(prog="python -m local_cloud", description=__doc__)
    cli.add_argument("command", choices=sorted(COMMANDS))
    cli.add_argument("--port", type=int, default=DEFAULT_PORT, help="the emulator's port on 127.0.0.1 (LOCAL_PORT)")
    args = cli.parse_args(argv)
    try:
        COMMANDS[args.command](LocalCloud(args.port))
    except LocalCloudError as error:
        print(f"local-{args.command} failed: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
