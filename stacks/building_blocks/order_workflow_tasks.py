"""How each kind of task in the order workflow is made: a Lambda invocation, a conditional status update of the
order and a DynamoDB transaction, each with the retry policy its integration's error names allow.

The order workflow's path (stacks/building_blocks/order_workflow_definition.py) is built from these; nothing here
knows the order of the steps.
"""

from __future__ import annotations

from typing import Any

from aws_cdk import Duration
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from constructs import Construct

from lambdas.shared.entities import ORDER
from lambdas.shared.orders import OrderStatus
from lambdas.shared.table_keys import PARTITION_KEY, SETTLED
from lambdas.shared.versions import CAUSATION_ATTRIBUTE, NEXT_VERSION, NEXT_VERSION_NAMES

ORDER_ID = "$.metadata.entityId"
CORRELATION_ID = "$.metadata.correlationId"
# The event that started the run (restarts name their restarter: lambdas/shared/workflow_start.py): every write of
# the run names it as its cause (lambdas/shared/versions.py).
CAUSATION_ID = "$.metadata.eventId"
# Transient failures only: a business outcome never comes back as an error, and other errors are not retried.
TRANSIENT_LAMBDA_ERRORS = [
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
    "Lambda.ClientExecutionTimeoutException",
    "RetryableError",  # lambdas/shared/errors.py: the table throttled a handler
]
# The optimized DynamoDB integration prefixes DynamoDB's error names with `DynamoDB.`, but the Step Functions guide
# ("Call DynamoDB APIs with Step Functions", docs.aws.amazon.com/step-functions/latest/dg/connect-ddb.html) lists no
# names for throttling or server errors. So a status update retries every task failure (`States.TaskFailed`), with a
# retrier before it that retries a failed condition zero times: whatever the transient errors are called, they are
# retried, and a failed condition still goes straight to AlreadyHandled. A non-transient failure costs a few
# retries (at most 15 s), then ends in the state's catch like any failure.
RETRY_EVERY_TASK_FAILURE = ["States.TaskFailed"]
TRANSIENT_DYNAMODB_SDK_ERRORS = [  # aws-sdk integration (transactions)
    "DynamoDb.ProvisionedThroughputExceededException",
    "DynamoDb.ThrottlingException",
    "DynamoDb.RequestLimitExceededException",
    "DynamoDb.InternalServerErrorException",
    "DynamoDb.TransactionInProgressException",
]
CONDITION_FAILED = "DynamoDB.ConditionalCheckFailedException"
TRANSACTION_CANCELED = "DynamoDb.TransactionCanceledException"


def transient_retry(errors: list[str]) -> dict[str, Any]:
    """Keyword arguments of `add_retry`: exponential backoff with full jitter, bounded to fit an Express run."""
    return {
        "errors": errors,
        "interval": Duration.seconds(1),
        "backoff_rate": 2,
        "max_attempts": 4,
        "max_delay": Duration.seconds(8),
        "jitter_strategy": sfn.JitterType.FULL,
    }


# The execution's name, not its ARN: the order carries it (`workflowExecution`) and an ARN is 100 bytes longer, which
# put a reserved order with UUID-long ids over DynamoDB's 1 KB write unit (devtools/cost/reference_order.py). The
# name finds the execution in the workflow's log as well, where every record carries the ARN that ends with it.
EXECUTION_NAME = "$$.Execution.Name"


def invoke(
    scope: Construct, construct_id: str, function: lambda_.IFunction, payload: dict[str, Any], *, result_path: str
) -> tasks.LambdaInvoke:
    """A function of the workflow, told which order, execution and correlation it works for, besides `payload`."""
    order = {
        "orderId": sfn.JsonPath.string_at(ORDER_ID),
        "executionName": sfn.JsonPath.string_at(EXECUTION_NAME),
        "correlationId": sfn.JsonPath.string_at(CORRELATION_ID),
        "causationId": sfn.JsonPath.string_at(CAUSATION_ID),
    }
    task = tasks.LambdaInvoke(
        scope,
        construct_id,
        lambda_function=function,
        payload=sfn.TaskInput.from_object({**order, **payload}),
        payload_response_only=True,
        retry_on_service_exceptions=False,  # replaced by the retrier below, which adds jitter and RetryableError
        result_path=result_path,
    )
    task.add_retry(**transient_retry(TRANSIENT_LAMBDA_ERRORS))
    return task


def order_key() -> dict[str, tasks.DynamoAttributeValue]:
    key = tasks.DynamoAttributeValue.from_string(
        sfn.JsonPath.format(f"{ORDER.key_prefix}{{}}", sfn.JsonPath.string_at(ORDER_ID))
    )
    return {"pk": key, "sk": key}


def set_status(
    scope: Construct,
    construct_id: str,
    table: dynamodb.ITableV2,
    expected: tuple[OrderStatus, ...],
    new: OrderStatus,
    *,
    already_handled: sfn.IChainable,
    settles: bool = True,
    reason: str | None = None,
    reason_path: str | None = None,
    extra: dict[str, tasks.DynamoAttributeValue] | None = None,
    or_without_status: bool = False,
) -> tasks.DynamoUpdateItem:
    """Moves the order from one of `expected` to `new`, or on to `already_handled` when it is in none of them. Every
    status the workflow writes this way settles the order (it leaves the OpenOrders index); the write records the
    execution that made it (`workflowExecution`). `or_without_status`: an order item that exists but has no status
    (written by something other than intake) may be moved too."""
    allowed = {f":expected{n}": tasks.DynamoAttributeValue.from_string(s.value) for n, s in enumerate(expected)}
    in_expected = f"#status IN ({', '.join(allowed)})"
    values = {
        **allowed,
        ":new": tasks.DynamoAttributeValue.from_string(new.value),
        ":now": string_at("$$.State.EnteredTime"),
        ":execution": string_at(EXECUTION_NAME),
        ":cause": string_at(CAUSATION_ID),
        ":one": tasks.DynamoAttributeValue.from_number(1),
    }
    assignments = [
        "#status = :new",
        "updatedAt = :now",
        "workflowExecution = :execution",
        f"{CAUSATION_ATTRIBUTE} = :cause",
    ]
    if reason or reason_path:
        values[":reason"] = tasks.DynamoAttributeValue.from_string(reason) if reason else string_at(str(reason_path))
        assignments.append("statusReason = :reason")
    for name, value in (extra or {}).items():
        values[f":{name}"] = value
        assignments.append(f"{name} = :{name}")
    update = tasks.DynamoUpdateItem(
        scope,
        construct_id,
        table=table,
        key=order_key(),
        update_expression="SET " + ", ".join(assignments) + f" {NEXT_VERSION}" + (f" {SETTLED}" if settles else ""),
        condition_expression=(
            f"attribute_exists({PARTITION_KEY}) AND (attribute_not_exists(#status) OR {in_expected})"
            if or_without_status
            else in_expected
        ),
        expression_attribute_names={"#status": "status", **NEXT_VERSION_NAMES},
        expression_attribute_values=values,
        result_path=sfn.JsonPath.DISCARD,
    )
    update.add_retry(errors=[CONDITION_FAILED], max_attempts=0)
    update.add_retry(**transient_retry(RETRY_EVERY_TASK_FAILURE))
    # The order is not in the status this step expects: another execution already moved it on.
    update.add_catch(already_handled, errors=[CONDITION_FAILED], result_path=sfn.JsonPath.DISCARD)
    return update


def transaction(scope: Construct, construct_id: str, table: dynamodb.ITableV2, items_path: str) -> tasks.CallAwsService:
    """TransactWriteItems of the items at `items_path` (ProcessOrder's reservation plan)."""
    task = tasks.CallAwsService(
        scope,
        construct_id,
        service="dynamodb",
        action="transactWriteItems",
        parameters={"TransactItems": sfn.JsonPath.list_at(items_path)},
        # A transaction needs the permission of each write in it: only updates, only on this table.
        iam_action="dynamodb:UpdateItem",
        iam_resources=[table.table_arn],
        result_path=sfn.JsonPath.DISCARD,
    )
    task.add_retry(**transient_retry(TRANSIENT_DYNAMODB_SDK_ERRORS))
    return task


def string_at(path: str) -> tasks.DynamoAttributeValue:
    return tasks.DynamoAttributeValue.from_string(sfn.JsonPath.string_at(path))
