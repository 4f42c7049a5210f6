"""Environment variables as a validated model, read once per cold start."""

from __future__ import annotations

import os
from typing import TypeVar

from pydantic import BaseModel

Settings = TypeVar("Settings", bound=BaseModel)


def load_settings(model: type[Settings]) -> Settings:
    return model.model_validate(dict(os.environ))
