"""Environment variables as a validated msgspec struct, read once per cold start: field `table_name` is variable
TABLE_NAME."""

from __future__ import annotations

import os
from typing import TypeVar

import msgspec

Settings = TypeVar("Settings", bound=msgspec.Struct)


def load_settings(model: type[Settings]) -> Settings:
    """Raises msgspec.ValidationError naming the variable that is missing or invalid."""
    return msgspec.convert(dict(os.environ), model, strict=True)
