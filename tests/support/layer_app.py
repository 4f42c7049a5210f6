"""`python -m tests.support.layer_app <outdir>`: synthesize a stack holding only the dependencies layer, bundling it."""

from __future__ import annotations

import sys

from aws_cdk import App, Stack

from stacks.building_blocks.dependencies_layer import DependenciesLayer
from stacks.building_blocks.lambda_runtime import LAMBDA_WHEELS


def synthesize_layer(outdir: str) -> None:
    app = App(outdir=outdir)
    DependenciesLayer.of(Stack(app, "LayerOnly"), LAMBDA_WHEELS)
    app.synth()


if __name__ == "__main__":
    synthesize_layer(sys.argv[1])
