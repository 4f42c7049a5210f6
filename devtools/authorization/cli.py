"""python -m devtools.authorization --env <env> [--assembly DIR] [--json]: every call between the environment's
services, allowed or denied as AWS would decide it, from the synthesized templates (no AWS account needed).

Exit status: 0 when every call that must be allowed is and every probe that must be denied is; 1 otherwise (each
such call printed with the reason); 2 for a template this check does not understand."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from devtools.authorization.check import Report, check
from devtools.authorization.deployment import UnknownResource
from devtools.authorization.policy import UnsupportedPolicy
from devtools.synth import EVALUATED_REPOSITORY, synthesized, synthesized_delivery_access
from ops.aws import environment


def parser() -> argparse.ArgumentParser:
    cli = argparse.ArgumentParser(prog="python -m devtools.authorization", description=__doc__,
                                  formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    cli.add_argument("--env", default="dev")
    cli.add_argument("--assembly", type=Path, help="an app assembly `cdk synth` wrote (default: synthesize it)")
    cli.add_argument("--json", action="store_true", help="every call and its verdict as JSON")
    return cli


def report_for(env_name: str, assembly: Path | None) -> Report:
    config = environment(env_name)
    with tempfile.TemporaryDirectory() as app_dir, tempfile.TemporaryDirectory() as delivery_dir:
        if assembly is None:
            synthesized(config, app_dir)
        synthesized_delivery_access(config, delivery_dir)
        return check(env_name, assembly or Path(app_dir), Path(delivery_dir), EVALUATED_REPOSITORY)


def as_text(report: Report) -> str:
    lines = [f"Orders ({report.environment}): {report.edges} calls that must be allowed, "
             f"{len(report.outcomes) - report.edges} probes that must be denied", ""]  # fmt: skip
    lines += [f"  {count:5}  {kind}" for kind, count in report.counts().items()]
    lines.append("")
    for outcome in report.failures:
        lines.append(f"WRONG: {outcome.call.describe()}: {outcome.reason}")
    lines.append(f"{len(report.outcomes) - len(report.failures)} as expected, {len(report.failures)} wrong")
    return "\n".join(lines)


def as_json(report: Report) -> str:
    calls = [{"kind": o.call.kind, "caller": o.call.caller, "callee": o.call.callee, "action": o.call.action,
              "resource": o.call.resource, "mustBeAllowed": o.call.expect_allowed, "asExpected": o.as_expected,
              "reason": o.reason} for o in report.outcomes]  # fmt: skip
    return json.dumps({"environment": report.environment, "edges": report.edges, "counts": report.counts(),
                       "wrong": len(report.failures), "calls": calls}, indent=2)  # fmt: skip


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        report = report_for(args.env, args.assembly)
    except (UnknownResource, UnsupportedPolicy) as error:
        print(f"cannot evaluate environment '{args.env}': {error}", file=sys.stderr)
        return 2
    print(as_json(report) if args.json else as_text(report), file=out or sys.stdout)
    return 1 if report.failures else 0
