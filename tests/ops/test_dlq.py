"""ops.dlq against moto: every DLQ listed and decoded; queue and rule-target DLQs redriven to where they belong,
nothing lost; rejected messages never redriven. The stream pipe's pointers: test_dlq_stream.py."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from ops.dlq import cli
from tests.support.dlq_world import REGION, World, bus_event, failed_delivery, queue, run


def test_list_shows_every_dlq_with_its_depth_and_where_it_goes_back(world: World) -> None:
    world.send("intake-dlq", {"orderId": "o-1"})
    world.send("rule-dlq", bus_event("OrderCreated", "o-1"), failed_delivery(world, "to-buffer", world.arns["buffer"]))
    code, out, _ = run("list")
    print(out)
    assert code == 0
    rows = {line.split()[0]: line.split() for line in out.splitlines()[2:]}
    assert rows["Workflows/Intake/DeadLetterQueue"][1:3] == ["queue", "1"]
    assert rows["Workflows/RuleDeadLetterQueue"][1:3] == ["rule-target", "1"]
    assert rows["Workflows/StreamPipe/DeadLetterQueue"][1:3] == ["stream-pipe", "0"]
    assert "queue intake" in out


def test_list_as_json_has_the_tables_rows(world: World) -> None:
    world.send("intake-dlq", {"orderId": "o-1"})
    code, out, _ = run("list", "--json")
    assert code == 0
    rows = {row["dlq"]: row for row in json.loads(out)}
    assert (rows["Workflows/Intake/DeadLetterQueue"]["kind"], rows["Workflows/Intake/DeadLetterQueue"]["visible"]) == (
        "queue",
        1,
    )
    assert rows["Workflows/StreamPipe/DeadLetterQueue"]["visible"] == 0


def test_show_decodes_the_event_and_the_error_eventbridge_added(world: World) -> None:
    world.send("rule-dlq", bus_event("OrderCreated", "o-1"), failed_delivery(world, "to-buffer", world.arns["buffer"]))
    _, out, _ = run("show", "RuleDeadLetter")
    print(out)
    [shown] = json.loads(out[: out.rindex("]") + 1])
    assert shown["error"]["ERROR_CODE"] == "SDK_CLIENT_ERROR"
    assert shown["error"]["RULE_ARN"].endswith("rule/orders/to-buffer")
    assert shown["message"]["detail-type"] == "OrderCreated"
    assert world.count("rule-dlq") == 1  # show changes nothing


def test_show_shows_as_many_as_asked_and_leaves_them_visible(world: World) -> None:
    for n in range(26):
        world.send("intake-dlq", {"orderId": f"o-{n}"})
    _, out, _ = run("show", "Intake/DeadLetter", "--max", "50")
    shown = json.loads(out[: out.rindex("]") + 1])
    assert len({json.dumps(s["message"]) for s in shown}) == 26
    assert "(26 shown of 26 visible" in out
    _, again, _ = run("show", "Intake/DeadLetter", "--max", "5")
    assert "(5 shown of 26 visible" in again


def test_a_queue_dlq_goes_back_to_its_queue(world: World) -> None:
    for n in range(3):
        world.send("intake-dlq", {"orderId": f"o-{n}"})
    code, out, _ = run("redrive", "Intake/DeadLetterQueue", "--yes")
    assert code == 0, out
    assert "moved 3, skipped 0, failed 0" in out
    assert sorted(json.loads(body)["orderId"] for body in world.bodies("intake")) == ["o-0", "o-1", "o-2"]
    assert world.count("intake-dlq") == 0


class SqsWithMoveTasks:
    """moto's SQS plus the message move task it lacks, done as SQS documents it: every message of the source queue
    moved to the destination; the task is then listed COMPLETED with its counts."""

    def __init__(self, sqs: Any, urls_by_arn: dict[str, str]) -> None:
        self._sqs = sqs
        self._urls = urls_by_arn
        self.tasks: list[dict[str, Any]] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sqs, name)

    def start_message_move_task(self, SourceArn: str, DestinationArn: str) -> dict[str, str]:
        source, destination, moved = self._urls[SourceArn], self._urls[DestinationArn], 0
        while messages := self._sqs.receive_message(QueueUrl=source, MaxNumberOfMessages=10).get("Messages", []):
            for message in messages:
                self._sqs.send_message(QueueUrl=destination, MessageBody=message["Body"])
                self._sqs.delete_message(QueueUrl=source, ReceiptHandle=message["ReceiptHandle"])
                moved += 1
        handle = f"task-{len(self.tasks)}"
        self.tasks.append(
            {"TaskHandle": handle, "Status": "COMPLETED", "ApproximateNumberOfMessagesMoved": moved,
             "ApproximateNumberOfMessagesToMove": moved}
        )  # fmt: skip
        return {"TaskHandle": handle}

    def list_message_move_tasks(self, SourceArn: str) -> dict[str, Any]:
        return {"Results": list(reversed(self.tasks))}


@pytest.mark.parametrize(("limit", "by_task"), [("1000", True), ("2", False)])
def test_a_queue_dlq_moves_by_a_move_task_unless_it_holds_more_than_max(
    world: World, monkeypatch: pytest.MonkeyPatch, limit: str, by_task: bool
) -> None:
    for n in range(3):
        world.send("intake-dlq", {"orderId": f"o-{n}"})
    sqs = SqsWithMoveTasks(world.sqs, {world.arns[name]: url for name, url in world.urls.items()})
    monkeypatch.setattr(cli, "client_factory", lambda config: lambda s: sqs if s == "sqs" else world.client(s))
    code, out, _ = run("redrive", "Intake/DeadLetterQueue", "--yes", "--max", limit)
    assert code == 0, out
    assert len(sqs.tasks) == (1 if by_task else 0)
    assert f"moved {3 if by_task else 2}, skipped 0, failed 0" in out
    assert world.count("intake-dlq") == (0 if by_task else 1)
    assert len(world.bodies("intake")) == (3 if by_task else 2)


def test_a_rule_target_dlq_goes_to_that_target_only(world: World) -> None:
    created = bus_event("OrderCreated", "o-7")
    world.send("rule-dlq", created, failed_delivery(world, "to-workflow", world.state_machine))
    code, out, _ = run("redrive", "RuleDeadLetterQueue", "--yes")
    assert code == 0, out
    [execution] = boto3.client("stepfunctions", region_name=REGION).list_executions(
        stateMachineArn=world.state_machine
    )["executions"]
    described = boto3.client("stepfunctions", region_name=REGION).describe_execution(
        executionArn=execution["executionArn"]
    )
    assert json.loads(described["input"]) == created["detail"]  # the target's InputPath applied
    assert world.bodies("buffer") == []  # not put on the bus again: the buffer's rule saw nothing
    assert world.bodies("published") == []


@pytest.mark.parametrize("dlq", ["Intake/DeadLetterQueue", "RuleDeadLetterQueue", "StreamPipe/DeadLetterQueue"])
def test_a_dry_run_changes_nothing(world: World, dlq: str) -> None:
    queue_name = {"Intake/DeadLetterQueue": "intake-dlq", "RuleDeadLetterQueue": "rule-dlq"}.get(dlq, "pipe-dlq")
    world.send(queue_name, bus_event("OrderCreated", "o-1"), failed_delivery(world, "to-buffer", world.arns["buffer"]))
    code, out, _ = run("redrive", dlq, "--dry-run")
    assert code == 0
    assert "would move 1" in out
    assert world.count(queue_name) == 1
    assert world.bodies("buffer") == world.bodies("intake") == world.bodies("published") == []


def test_a_partly_failed_redrive_loses_nothing(world: World) -> None:
    world.send("rule-dlq", bus_event("OrderCreated", "o-1"), failed_delivery(world, "to-buffer", world.arns["buffer"]))
    world.send("rule-dlq", bus_event("OrderCreated", "o-2"), failed_delivery(world, "to-buffer", "arn:aws:sqs:gone"))
    world.send("rule-dlq", bus_event("OrderCreated", "o-3"), failed_delivery(world, "to-buffer", world.arns["buffer"]))
    world.sqs.delete_queue(QueueUrl=world.urls["buffer"])
    world.urls["buffer"], world.arns["buffer"] = queue(world.sqs, "buffer")  # the target is back; o-2's never was
    code, out, _ = run("redrive", "RuleDeadLetterQueue", "--yes")
    print(out)
    assert code == 0
    assert "moved 2, skipped 1, failed 0" in out
    assert sorted(json.loads(b)["detail"]["metadata"]["entityId"] for b in world.bodies("buffer")) == ["o-1", "o-3"]
    [kept] = world.bodies("rule-dlq")
    assert json.loads(kept)["detail"]["metadata"]["entityId"] == "o-2"


def test_a_failed_delivery_keeps_the_message(world: World) -> None:
    world.send("rule-dlq", bus_event("OrderCreated", "o-1"), failed_delivery(world, "to-buffer", world.arns["buffer"]))
    world.sqs.delete_queue(QueueUrl=world.urls["buffer"])
    code, out, _ = run("redrive", "RuleDeadLetterQueue", "--yes")
    assert code == 1
    assert "moved 0, skipped 0, failed 1" in out
    assert world.count("rule-dlq") == 1


def test_rejected_messages_are_never_redriven(world: World) -> None:
    code, _, err = run("redrive", "RejectedQueue", "--yes")
    assert code == 1
    assert "need the producer to fix and resend them" in err


def test_saying_no_changes_nothing(world: World) -> None:
    world.send("intake-dlq", {"orderId": "o-1"})
    code, out, _ = run("redrive", "Intake/DeadLetterQueue", answer="n")
    assert (code, out.strip()) == (1, "nothing changed")
    assert world.count("intake-dlq") == 1
