"""A synthesized cloud assembly whose templates a local deploy may edit before `cdk deploy --app <dir>` runs.

The CDK CLI uploads each template as a file asset keyed by its content hash and skips the upload when that key is
already in the bootstrap bucket. An edited template therefore gets a new hash, written where the manifest and the
stack's asset manifest name it, or the emulator would deploy the unedited one it already holds.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

Template = dict[str, Any]


class CloudAssembly:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _manifest(self) -> dict[str, Any]:
        manifest: dict[str, Any] = json.loads((self.directory / "manifest.json").read_text())
        return manifest

    def stack_names(self) -> list[str]:
        """In manifest order, which is the order of their dependencies."""
        artifacts = self._manifest()["artifacts"]
        return [name for name, artifact in artifacts.items() if artifact["type"] == "aws:cloudformation:stack"]

    def template(self, stack_name: str) -> Template:
        template: Template = json.loads((self.directory / self._template_file(stack_name)).read_text())
        return template

    def _template_file(self, stack_name: str) -> str:
        return str(self._manifest()["artifacts"][stack_name]["properties"]["templateFile"])

    def save_template(self, stack_name: str, template: Template) -> None:
        file_name = self._template_file(stack_name)
        content = json.dumps(template, indent=1).encode()
        (self.directory / file_name).write_bytes(content)
        self._rekey(stack_name, file_name, hashlib.sha256(content).hexdigest())

    def _rekey(self, stack_name: str, file_name: str, digest: str) -> None:
        assets_path = self.directory / f"{stack_name}.assets.json"
        assets = json.loads(assets_path.read_text())
        for key, asset in list(assets["files"].items()):
            if asset["source"]["path"] == file_name:
                del assets["files"][key]
                for destination in asset["destinations"].values():
                    destination["objectKey"] = f"{digest}.json"
                assets["files"][digest] = asset
        assets_path.write_text(json.dumps(assets, indent=1))
        manifest = self._manifest()
        properties = manifest["artifacts"][stack_name]["properties"]
        bucket_url = properties["stackTemplateAssetObjectUrl"].rsplit("/", 1)[0]
        properties["stackTemplateAssetObjectUrl"] = f"{bucket_url}/{digest}.json"
        (self.directory / "manifest.json").write_text(json.dumps(manifest, indent=1))
