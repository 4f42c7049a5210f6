"""Keeps one worker per deployed pipe in the state the emulator reports for it, reloading after every deploy."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

from local_cloud.deployed import DeployedStacks
from local_cloud.pipes.checkpoints import Checkpoints
from local_cloud.pipes.definition import PipeDefinition, describe, load_pipe, pipe_resources
from local_cloud.pipes.role import RoleSession
from local_cloud.pipes.sources import StreamReader
from local_cloud.pipes.workers import PipeWorker, worker_for
from local_cloud.settings import LOCAL_DIR, RUNNER_READY_FILE, LocalCloud, stack_names

logger = logging.getLogger("pipes")
DONE = ("CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE")
Generation = tuple[Any, ...]


class PipesRunner:
    def __init__(self, cloud: LocalCloud, assembly_dir: Path) -> None:
        self._cloud = cloud
        self._assembly_dir = assembly_dir
        self._generation: Generation | None = None
        self._definitions: list[PipeDefinition] = []
        self._workers: dict[str, PipeWorker] = {}
        self._positions: dict[str, StreamReader] = {}
        self._checkpoints = Checkpoints(LOCAL_DIR / "pipes-checkpoints.json")
        self._waiting_said = False

    def run_forever(self, interval_seconds: float = 2.0) -> None:
        while True:
            try:
                self.reconcile()
            except Exception:
                logger.exception("could not read the deployment; trying again")
            time.sleep(interval_seconds)

    def reconcile(self) -> None:
        generation = self._deployment_generation()
        if generation is None:
            if not self._waiting_said:
                logger.info("waiting for a deployment of the local environment (make local-deploy)")
                self._waiting_said = True
            return
        self._waiting_said = False
        reloaded = generation != self._generation
        if reloaded:
            self._reload()
            self._generation = generation
        for definition in self._definitions:
            self._keep_in_desired_state(definition)
        if reloaded:  # `make local-deploy` waits for this before it returns: writes made after it are all seen
            RUNNER_READY_FILE.write_text(json.dumps({"assembly": generation[0], "running": sorted(self._workers)}))

    def _deployment_generation(self) -> Generation | None:
        manifest = self._assembly_dir / "manifest.json"
        if not manifest.exists():
            return None
        cloudformation = self._cloud.client("cloudformation")
        stamps = []
        for name in stack_names():
            try:
                [stack] = cloudformation.describe_stacks(StackName=name)["Stacks"]
            except cloudformation.exceptions.ClientError:
                return None
            if stack["StackStatus"] not in DONE:
                return None
            stamps.append((name, str(stack.get("LastUpdatedTime") or stack["CreationTime"])))
        return (manifest.stat().st_mtime, *stamps)

    def _reload(self) -> None:
        for worker in self._workers.values():
            worker.stopping.set()
        for worker in self._workers.values():  # a stream position is handed on only once its old worker is done
            worker.join(timeout=30)
        self._workers.clear()
        deployed = DeployedStacks(self._cloud.client)
        self._definitions = []
        for stack, logical_id, template in pipe_resources(self._assembly_dir, stack_names()):
            definition = load_pipe(deployed, stack, logical_id, template)
            if definition.unsupported:
                logger.error("%s is not run: it uses %s", definition.label, "; ".join(definition.unsupported))
                continue
            logger.info("loaded %s: %s", definition.label, describe(definition))
            self._definitions.append(definition)

    def _keep_in_desired_state(self, definition: PipeDefinition) -> None:
        state = self._cloud.client("pipes").describe_pipe(Name=definition.name)["CurrentState"]
        worker = self._workers.get(definition.name)
        if state == "RUNNING" and worker is None:
            role = RoleSession(self._cloud, definition.role_arn, f"local-pipes-{definition.logical_id}")
            worker = worker_for(definition, role.client, self._cloud.client, self._positions, self._checkpoints)
            self._workers[definition.name] = worker
            worker.start()
        elif state != "RUNNING" and worker is not None:
            logger.info("%s is %s in the emulator: stopping its worker", definition.label, state)
            worker.stopping.set()
            del self._workers[definition.name]
