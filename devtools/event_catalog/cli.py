"""python -m devtools.event_catalog [--check]: write docs/events.md and docs/schemas/v<schemaVersion>/ from the
contract.

Refuses to overwrite released schemas with incompatible ones: bump SCHEMA_VERSION (lambdas/shared/entities.py)
first, and the new version's schemas are written next to the old ones. `--check` writes nothing and exits 1 when a
file is not what the generator would write.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from jsonschema import Draft4Validator
from moto.events.models import EventPattern  # a dev dependency, like this generator

from devtools.event_catalog.markdown import render
from devtools.synth import synthesized_templates
from event_contract.compatibility import breaking_changes
from event_contract.examples import UnknownEntity, example_event
from event_contract.schemas import DETAIL_TYPES, UnknownItemModel, event_schemas
from lambdas.shared.entities import SCHEMA_VERSION

PROJECT_ROOT = Path(__file__).resolve().parents[2]
EVENTS_DOC = PROJECT_ROOT / "docs" / "events.md"
SCHEMAS_DIR = PROJECT_ROOT / "docs" / "schemas"


def released_dir(version: str = SCHEMA_VERSION) -> Path:
    return SCHEMAS_DIR / f"v{version}"


def schema_files() -> dict[Path, str]:
    """Each released schema file as the generator writes it."""
    return {
        released_dir() / f"{name}.json": json.dumps(schema, indent=2) + "\n" for name, schema in event_schemas().items()
    }


def incompatible_with_release() -> list[str]:
    """Breaking changes of the generated schemas against this version's released ones (none when not released)."""
    found = []
    for path, text in schema_files().items():
        if path.exists():
            found += [
                f"{path.stem}: {change}" for change in breaking_changes(json.loads(path.read_text()), json.loads(text))
            ]
    return found


def rule_consumers(templates: dict[str, dict[str, Any]]) -> dict[str, list[str]]:
    """Detail-type -> the rules whose pattern matches its example event (live, not a replay)."""
    consumers: dict[str, list[str]] = {}
    for detail_type in DETAIL_TYPES:
        event = example_event(detail_type)
        for template in templates.values():
            for resource in template["Resources"].values():
                if resource["Type"] != "AWS::Events::Rule" or "EventPattern" not in resource["Properties"]:
                    continue  # a schedule consumes no events
                pattern = EventPattern.load(json.dumps(resource["Properties"]["EventPattern"]))
                if pattern.matches_event(event):  # type: ignore[arg-type]
                    path = resource["Metadata"]["aws:cdk:path"].removesuffix("/Resource")
                    consumers.setdefault(detail_type.name, []).append(path.split("-", 2)[-1])
    return {name: sorted(rules) for name, rules in consumers.items()}


def invalid_examples() -> list[str]:
    """Every example event checked against its own schema: docs/events.md never shows an event its schema refuses."""
    schemas = event_schemas()
    return [
        f"{detail_type.name} example: {'/'.join(map(str, error.path)) or '<event>'}: {error.message}"
        for detail_type in DETAIL_TYPES
        for error in Draft4Validator(schemas[detail_type.name]).iter_errors(example_event(detail_type))
    ]


def dev_templates() -> dict[str, dict[str, Any]]:
    """The dev environment's templates, synthesized in-process (bundling skipped)."""
    return synthesized_templates("dev")


def expected_files(templates: dict[str, dict[str, Any]]) -> dict[Path, str]:
    return {EVENTS_DOC: render(rule_consumers(templates)), **schema_files()}


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout) -> int:
    cli = argparse.ArgumentParser(prog="python -m devtools.event_catalog", description=__doc__)
    cli.add_argument("--check", action="store_true", help="change nothing; exit 1 if a file is out of date")
    args = cli.parse_args(argv)
    try:
        return _generate(check=args.check, out=out)
    except (UnknownEntity, UnknownItemModel) as unknown:
        print(f"refused: {unknown}", file=out)
        return 1


def _generate(*, check: bool, out: TextIO) -> int:
    breaking = incompatible_with_release()
    if breaking:
        print(f"incompatible with the released schemas v{SCHEMA_VERSION}; bump SCHEMA_VERSION:", file=out)
        print("\n".join(f"  {line}" for line in breaking), file=out)
        return 1
    invalid = invalid_examples()
    if invalid:
        print("refused: example events their schemas reject (event_contract/examples.py):", file=out)
        print("\n".join(f"  {line}" for line in invalid), file=out)
        return 1
    files = expected_files(dev_templates())
    stale = [path for path, text in files.items() if _differs(path, text)]
    if check:
        print("\n".join(f"out of date: {p.relative_to(PROJECT_ROOT)}" for p in stale) or "up to date", file=out)
        return 1 if stale else 0
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    print(f"wrote {EVENTS_DOC.relative_to(PROJECT_ROOT)} and {released_dir().relative_to(PROJECT_ROOT)}/", file=out)
    return 0


def _differs(path: Path, text: str) -> bool:
    return not path.exists() or path.read_text() != text
