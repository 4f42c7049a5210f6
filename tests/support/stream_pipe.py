"""The app's stream pipe as an emulator (moto) gets it: the synthesized pipe's own parameters."""

from __future__ import annotations

import copy
from typing import Any

from tests.support.synth import synthesize
from tests.support.templates import resource_at


def the_apps_stream_pipe_parameters(table_arn: str, env_name: str = "dev") -> dict[str, Any]:
    """Source and target parameters as the app's stream pipe has them, its references resolved for this world."""
    _, pipe = resource_at(synthesize(env_name).template("EventFabric"), "StreamPipe/Pipe")
    source = copy.deepcopy(pipe["Properties"]["SourceParameters"])
    del source["DynamoDBStreamParameters"]["DeadLetterConfig"]  # a reference; the DLQ is not what this reads
    target = copy.deepcopy(pipe["Properties"]["TargetParameters"])
    target["EventBridgeEventBusParameters"]["Resources"] = [table_arn]
    return {"SourceParameters": source, "TargetParameters": target}
