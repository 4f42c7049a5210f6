"""Run the synthesized order workflow in moto: real definition, real table schema, real Lambda handlers.

- The definition is the state machine's DefinitionString from the Workflows template, with its CloudFormation
  references resolved to the moto resources created here.
- The table is created from the Data stack's template (keys, GSI), so the schema cannot drift from the stack.
- moto's Lambda (use_docker False) would echo its input; `invoke` is patched to call the real handlers in-process,
  turning an exception into the same "Unhandled" function error Lambda returns.
- Retrier sleeps and Wait states are recorded instead of slept.
- moto runs executions in threads but does not isolate its writes from each other (a cancelled transaction restores
  the items as it read them, over another thread's write); DynamoDB serializes every write and transaction on an
  item, so the harness serializes moto's writes too.
"""

from __future__ import annotations

import functools
import hashlib
import json
import threading
import time
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.awslambda_simple.models import LambdaSimpleBackend
from moto.dynamodb.models import DynamoDBBackend
from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl
from moto.stepfunctions.parser.asl.component.state.wait.wait_function.wait_function import WaitFunction

from devtools.fake_lambda_context import FakeLambdaContext
from lambdas.enrichment.envelope import envelope
from lambdas.process_order import handler as process_order
from lambdas.ship_order import handler as ship_order
from tests.support.templates import resources_of_type

ACCOUNT = "123456789012"
REGION = "eu-west-1"
TABLE_NAME = "orders-test-table"
FUNCTION_NAMES = {"ProcessOrder": "process-order", "ShipOrder": "ship-order"}
HANDLERS: dict[str, Callable[[dict[str, Any], Any], Any]] = {
    "process-order": process_order.handler,
    "ship-order": ship_order.handler,
}
MOTO_CONFIG: Any = {"stepfunctions": {"execute_state_machine": True}, "lambda": {"use_docker": False}}

# Called before the real handler with (function name, event); may raise to inject a failure.
FailureInjector = Callable[[str, dict[str, Any]], None]


def create_table_from_template(
    client: Any, template: dict[str, Any], table_name: str = TABLE_NAME, *, stream: bool = False
) -> None:
    """A moto table with the key schema and GSIs (and, if asked, the stream) of the one table the template defines."""
    [table] = resources_of_type(template, "AWS::DynamoDB::GlobalTable").values()
    properties = table["Properties"]
    client.create_table(
        TableName=table_name,
        KeySchema=properties["KeySchema"],
        AttributeDefinitions=properties["AttributeDefinitions"],
        GlobalSecondaryIndexes=[
            {"IndexName": i["IndexName"], "KeySchema": i["KeySchema"], "Projection": i["Projection"]}
            for i in properties["GlobalSecondaryIndexes"]
        ],
        BillingMode=properties["BillingMode"],
        **({"StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}} if stream else {}),
    )


def resolved_definition(workflows_template: dict[str, Any]) -> str:
    [state_machine] = resources_of_type(workflows_template, "AWS::StepFunctions::StateMachine").values()
    functions = {
        logical_id: FUNCTION_NAMES[path.split("/")[-3]]
        for logical_id, resource in resources_of_type(workflows_template, "AWS::Lambda::Function").items()
        if "/OrderWorkflow/" in (path := resource["Metadata"]["aws:cdk:path"])
    }

    def resolve(part: Any) -> str:
        if isinstance(part, str):
            return part
        if part == {"Ref": "AWS::Partition"}:
            return "aws"
        if "Fn::GetAtt" in part and part["Fn::GetAtt"][0] in functions:
            return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{functions[part['Fn::GetAtt'][0]]}"
        if "Fn::GetStackOutput" in part and "RefTable" in part["Fn::GetStackOutput"]["OutputName"]:
            return TABLE_NAME
        raise AssertionError(f"definition refers to something the harness cannot resolve: {part}")

    separator, parts = state_machine["Properties"]["DefinitionString"]["Fn::Join"]
    return str(separator).join(resolve(part) for part in parts)


@dataclass
class WorkflowRun:
    status: str
    output: dict[str, Any] | None
    error: str | None
    cause: str | None
    history: list[dict[str, Any]]

    @property
    def states_entered(self) -> list[str]:
        return [e["stateEnteredEventDetails"]["name"] for e in self.history if "stateEnteredEventDetails" in e]


def stopped_after(definition: str, state: str) -> str:
    """The definition with the execution ending (failed, `StoppedForTest`) right after `state` completes, as an
    execution that dies there would: what `state` did is done, nothing after it is."""
    parsed = json.loads(definition)
    parsed["States"]["StoppedForTest"] = {"Type": "Fail", "Error": "StoppedForTest"}
    stopped = parsed["States"][state]
    assert stopped["Type"] in ("Task", "Pass"), f"{state} is a {stopped['Type']}: stop after a task"
    stopped.pop("End", None)
    stopped["Next"] = "StoppedForTest"
    return json.dumps(parsed)


@dataclass
class WorkflowHarness:
    dynamodb: Any
    stepfunctions: Any
    state_machine_arn: str
    definition: str = ""
    # Express executions on AWS have ARNs of about 170 characters (`...:express:<machine>:<name>:<id>`); the
    # footprint test names its runs so that moto's ARNs are as long, since the workflow writes them on the order.
    execution_name: Callable[[int], str] = lambda run: f"run-{run}"
    invocations: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    retry_sleeps: list[float] = field(default_factory=list)
    waits: list[int] = field(default_factory=list)
    inject: FailureInjector | None = None
    _runs: int = 0

    # --- table fixtures -------------------------------------------------------------------------------------
    def put(self, item: dict[str, Any]) -> None:
        self.dynamodb.put_item(TableName=TABLE_NAME, Item=item)

    def get(self, pk: str) -> dict[str, Any] | None:
        item: dict[str, Any] | None = self.dynamodb.get_item(
            TableName=TABLE_NAME, Key={"pk": {"S": pk}, "sk": {"S": pk}}, ConsistentRead=True
        ).get("Item")
        return item

    def stock(self, sku: str) -> int:
        item = self.get(f"PRODUCT#{sku}")
        assert item is not None, sku
        return int(item["stock"]["N"])

    # --- running --------------------------------------------------------------------------------------------
    def order_created_event_detail(self, order_id: str) -> dict[str, Any]:
        """The `detail` the OrderCreated rule hands the workflow: the real enrichment of the order's INSERT record."""
        order = self.get(f"ORDER#{order_id}")
        assert order is not None, order_id
        record = {
            # As long as DynamoDB Streams' ids (32 hex digits): the workflow writes it on the order (causationId).
            "eventID": hashlib.md5(order_id.encode()).hexdigest(),
            "eventName": "INSERT",
            "eventSource": "aws:dynamodb",
            "dynamodb": {
                "ApproximateCreationDateTime": 1763827200,
                "Keys": {"pk": order["pk"], "sk": order["sk"]},
                "NewImage": order,
                "SequenceNumber": "1",
                "SizeBytes": 512,
            },
        }
        return envelope(record)

    def run(self, detail: dict[str, Any], timeout_seconds: float = 30, *, stop_after: str | None = None) -> WorkflowRun:
        """`stop_after`: the execution dies right after that state (stopped_after)."""
        return self.wait(self.start(detail, stop_after=stop_after), timeout_seconds)

    def start(self, detail: dict[str, Any], *, stop_after: str | None = None) -> str:
        self._runs += 1
        machine = self.state_machine_arn
        if stop_after:
            machine = self.stepfunctions.create_state_machine(
                name=f"stopped-{self._runs}", definition=stopped_after(self.definition, stop_after),
                roleArn=f"arn:aws:iam::{ACCOUNT}:role/order-workflow", type="STANDARD",
            )["stateMachineArn"]  # fmt: skip
        execution_arn: str = self.stepfunctions.start_execution(
            stateMachineArn=machine, name=self.execution_name(self._runs), input=json.dumps(detail)
        )["executionArn"]
        return execution_arn

    def wait(self, execution_arn: str, timeout_seconds: float = 30) -> WorkflowRun:
        deadline = time.monotonic() + timeout_seconds
        while (described := self.stepfunctions.describe_execution(executionArn=execution_arn))["status"] == "RUNNING":
            assert time.monotonic() < deadline, "execution did not finish"
            time.sleep(0.02)
        history = self.stepfunctions.get_execution_history(executionArn=execution_arn, maxResults=1000)["events"]
        output = described.get("output")
        return WorkflowRun(
            status=described["status"],
            output=json.loads(output) if output else None,
            error=described.get("error"),
            cause=described.get("cause"),
            history=history,
        )

    def stream_records(self) -> list[dict[str, Any]]:
        """Every record of the table's stream so far, oldest first, as a stream reader receives them."""
        # moto matches only the streams URL with a trailing slash, which this botocore no longer sends by itself.
        streams = boto3.client(
            "dynamodbstreams", region_name=REGION, endpoint_url=f"https://streams.dynamodb.{REGION}.amazonaws.com/"
        )
        stream_arn = self.dynamodb.describe_table(TableName=TABLE_NAME)["Table"]["LatestStreamArn"]
        records: list[dict[str, Any]] = []
        for shard in streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]:
            iterator = streams.get_shard_iterator(
                StreamArn=stream_arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
            )["ShardIterator"]
            while iterator and (page := streams.get_records(ShardIterator=iterator))["Records"]:
                records += page["Records"]
                iterator = page.get("NextShardIterator")
        return records

    def calls_to(self, function_name: str) -> list[dict[str, Any]]:
        return [event for name, event in self.invocations if name == function_name]

    # --- patched seams --------------------------------------------------------------------------------------
    def invoke(self, function_name: str, body: Any, response_headers: dict[str, str]) -> bytes:
        name = function_name.rsplit(":", 1)[-1]
        event = json.loads(body)
        self.invocations.append((name, event))
        try:
            if self.inject:
                self.inject(name, event)
            result = HANDLERS[name](event, FakeLambdaContext(function_name=name))
        except Exception as error:  # the Lambda runtime's behaviour: any exception is an Unhandled function error
            response_headers["x-amz-function-error"] = "Unhandled"
            return json.dumps({"errorType": type(error).__name__, "errorMessage": str(error)}).encode()
        return json.dumps(result).encode()


def serialize_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    lock = threading.RLock()
    for name in ("put_item", "update_item", "delete_item", "transact_write_items"):
        original = getattr(DynamoDBBackend, name)

        @functools.wraps(original)
        def serialized(*args: Any, _original: Any = original, **kwargs: Any) -> Any:
            with lock:
                return _original(*args, **kwargs)

        monkeypatch.setattr(DynamoDBBackend, name, serialized)


@contextmanager
def workflow_harness(
    monkeypatch: pytest.MonkeyPatch,
    data_template: dict[str, Any],
    workflows_template: dict[str, Any],
    *,
    stream: bool = False,
) -> Iterator[WorkflowHarness]:
    """`stream`: the table gets its stream (NEW_AND_OLD_IMAGES), which `WorkflowHarness.stream_records` reads."""
    monkeypatch.setenv("TABLE_NAME", TABLE_NAME)
    process_order._dependencies.cache_clear()
    serialize_writes(monkeypatch)
    with mock_aws(config=MOTO_CONFIG):
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        stepfunctions = boto3.client("stepfunctions", region_name=REGION)
        create_table_from_template(dynamodb, data_template, stream=stream)
        definition = resolved_definition(workflows_template)
        state_machine_arn = stepfunctions.create_state_machine(
            name="OrderWorkflowStateMachine1A2B3C4D-AbCdEfGhIjKl",  # as CDK names it
            definition=definition,
            roleArn=f"arn:aws:iam::{ACCOUNT}:role/order-workflow",
            type="STANDARD",  # moto runs both types alike; STANDARD keeps a queryable history
        )["stateMachineArn"]
        harness = WorkflowHarness(
            dynamodb=dynamodb, stepfunctions=stepfunctions, state_machine_arn=state_machine_arn, definition=definition
        )
        monkeypatch.setattr(
            LambdaSimpleBackend,
            "invoke",
            lambda _self, function_name, _qualifier, body, _headers, response_headers: harness.invoke(
                function_name, body, response_headers
            ),
        )
        monkeypatch.setattr(retrier_decl, "time", types.SimpleNamespace(sleep=harness.retry_sleeps.append))
        monkeypatch.setattr(
            WaitFunction, "_wait_interval", lambda _self, env, wait_seconds: harness.waits.append(wait_seconds)
        )
        yield harness
    process_order._dependencies.cache_clear()
