"""A pydantic validation error as the one line a rejection or an INVALID order carries."""

from __future__ import annotations

from pydantic import ValidationError


def first_problem(error: ValidationError, whole: str) -> str:
    """`<field path>: <message>` of the first problem, and how many more there are; `whole` names the root."""
    problems = error.errors(include_url=False)
    first = problems[0]
    where = ".".join(str(part) for part in first["loc"]) or whole
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return f"{where}: {first['msg']}{more}"
