"""The order workflow's states: ProcessOrder -> CheckInventory -> ShipOrder, with status updates and compensation.

Input: the OrderCreated event's `detail` ({"metadata", "data"}). Every status update is a conditional DynamoDB write
(direct integration) from the status the step expects, so a second execution for the same order finds the order
already moved on and ends in `AlreadyHandled` without changing anything, counted first (`AlreadyHandledExecutions`
in the Orders namespace, on the dashboard): a duplicate delivery, or after a failover the same change published by
both regions (decision 18), succeeds quietly but is seen. Business outcomes (INVALID, BACKORDERED) end in Succeed
states; operational failures end in Fail states, which the failed-executions alarm reports.
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
from stacks.building_blocks.powertools_function import METRICS_NAMESPACE

ORDER_ID = "$.metadata.entityId"
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
ALREADY_HANDLED_METRIC = "AlreadyHandledExecutions"
WORKFLOW_METRICS_SERVICE = "order-workflow"  # the `service` dimension, as Powertools names the functions' metrics
TRANSIENT_DYNAMODB_SDK_ERRORS = [  # aws-sdk integration (transactions)
    "DynamoDb.ProvisionedThroughputExceededException",
    "DynamoDb.ThrottlingException",
    "DynamoDb.RequestLimitExceededException",
    "DynamoDb.InternalServerErrorException",
    "DynamoDb.TransactionInProgressException",
]
CONDITION_FAILED = "DynamoDB.ConditionalCheckFailedException"
TRANSACTION_CANCELED = "DynamoDb.TransactionCanceledException"
MAX_RESERVATION_RETRIES = 3
BACKORDER_REASON = "Not enough stock for every line item; nothing was reserved"


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


class OrderWorkflowDefinition(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        table: dynamodb.ITableV2,
        process_order: lambda_.IFunction,
        ship_order: lambda_.IFunction,
    ) -> None:
        super().__init__(scope, construct_id)
        self._table = table
        self._already_handled = self._count_already_handled()
        mark_failed = self._failed_before_reservation()
        mark_processing = self._set_status("MarkProcessing", OrderStatus.PENDING, OrderStatus.PROCESSING)
        process = self._process_order(process_order, mark_failed)
        mark_invalid, mark_backordered = self._business_outcomes()
        check_inventory = self._check_inventory(mark_backordered, mark_failed)
        ship, mark_shipped = self._shipping(ship_order)

        self.start: sfn.IChainable = mark_processing.next(process).next(
            sfn.Choice(self, "IsOrderValid")
            .when(sfn.Condition.boolean_equals("$.processing.valid", False), mark_invalid)
            .otherwise(check_inventory.next(ship).next(mark_shipped).next(sfn.Succeed(self, "OrderShipped")))
        )

    def _count_already_handled(self) -> sfn.IChainable:
        """One count per execution that found its order moved on; a failed count still ends the execution well (the
        metric is for people, the order is already right)."""
        done = sfn.Succeed(self, "AlreadyHandled", comment="Another execution already moved this order on")
        count = tasks.CallAwsService(
            self,
            "CountAlreadyHandled",
            service="cloudwatch",
            action="putMetricData",
            parameters={
                "Namespace": METRICS_NAMESPACE,
                "MetricData": [
                    {
                        "MetricName": ALREADY_HANDLED_METRIC,
                        "Value": 1,
                        "Unit": "Count",
                        "Dimensions": [{"Name": "service", "Value": WORKFLOW_METRICS_SERVICE}],
                    }
                ],
            },
            iam_resources=["*"],  # PutMetricData has no resource type (Service Authorization Reference, CloudWatch)
            iam_action="cloudwatch:PutMetricData",
            result_path=sfn.JsonPath.DISCARD,
        )
        count.add_catch(done, errors=["States.ALL"], result_path=sfn.JsonPath.DISCARD)
        return count.next(done)

    def _failed_before_reservation(self) -> sfn.TaskStateBase:
        """An operational failure before stock was reserved: the order ends FAILED and the execution fails."""
        failed = sfn.Fail(self, "FailedBeforeReservation", error="OrderFailed", cause_path="$.failure.Cause")
        mark_failed = self._set_status(
            "MarkFailed", OrderStatus.PROCESSING, OrderStatus.FAILED, reason_path="$.failure.Cause"
        )
        mark_failed.next(failed)
        return mark_failed

    def _process_order(self, process_order: lambda_.IFunction, mark_failed: sfn.IChainable) -> sfn.TaskStateBase:
        process = self._invoke(
            "ProcessOrder",
            process_order,
            {
                "orderId": sfn.JsonPath.string_at(ORDER_ID),
                "order": sfn.JsonPath.object_at("$.data"),
                "correlationId": sfn.JsonPath.string_at("$.metadata.correlationId"),
            },
            result_path="$.processing",
        )
        process.add_catch(mark_failed, errors=["States.ALL"], result_path="$.failure")
        return process

    def _business_outcomes(self) -> tuple[sfn.TaskStateBase, sfn.TaskStateBase]:
        """INVALID and BACKORDERED: outcomes, not failures, so they end in Succeed states."""
        mark_invalid = self._set_status(
            "MarkInvalid", OrderStatus.PROCESSING, OrderStatus.INVALID, reason_path="$.processing.reason"
        )
        mark_invalid.next(sfn.Succeed(self, "OrderInvalid"))
        mark_backordered = self._set_status(
            "MarkBackordered", OrderStatus.PROCESSING, OrderStatus.BACKORDERED, reason=BACKORDER_REASON
        )
        mark_backordered.next(sfn.Succeed(self, "OrderBackordered"))
        return mark_invalid, mark_backordered

    def _check_inventory(self, mark_backordered: sfn.IChainable, mark_failed: sfn.IChainable) -> sfn.TaskStateBase:
        check_inventory = self._transaction("CheckInventory", "$.processing.reservation.reserve")
        check_inventory.add_catch(
            self._why_not_reserved(check_inventory, mark_backordered, mark_failed),
            errors=[TRANSACTION_CANCELED],
            result_path="$.reservationFailure",
        )
        check_inventory.add_catch(mark_failed, errors=["States.ALL"], result_path="$.failure")
        return check_inventory

    def _shipping(self, ship_order: lambda_.IFunction) -> tuple[sfn.TaskStateBase, sfn.TaskStateBase]:
        """ShipOrder, compensated by releasing the reservation when it fails; then MarkShipped."""
        release = self._transaction("ReleaseReservation", "$.processing.reservation.release")
        release.add_retry(**transient_retry([TRANSACTION_CANCELED]))
        release.add_catch(
            sfn.Fail(self, "CompensationFailed", error="CompensationFailed", cause_path="$.compensationFailure.Cause"),
            errors=["States.ALL"],
            result_path="$.compensationFailure",
        )
        release.next(sfn.Fail(self, "FailedAndReleased", error="ShippingFailed", cause_path="$.failure.Cause"))

        ship = self._invoke(
            "ShipOrder",
            ship_order,
            {
                "orderId": sfn.JsonPath.string_at(ORDER_ID),
                "correlationId": sfn.JsonPath.string_at("$.metadata.correlationId"),
                "lineItems": sfn.JsonPath.list_at("$.processing.lineItems"),
            },
            result_path="$.shipment",
        )
        ship.add_catch(release, errors=["States.ALL"], result_path="$.failure")

        mark_shipped = self._set_status(
            "MarkShipped",
            OrderStatus.RESERVED,
            OrderStatus.SHIPPED,
            extra={"shipmentId": _string_at("$.shipment.shipmentId")},
        )
        mark_shipped.add_catch(
            sfn.Fail(self, "ShippedButStatusNotUpdated", error="StatusNotUpdated", cause_path="$.failure.Cause"),
            errors=["States.ALL"],
            result_path="$.failure",
        )
        return ship, mark_shipped

    def _why_not_reserved(
        self, check_inventory: sfn.TaskStateBase, mark_backordered: sfn.IChainable, mark_failed: sfn.IChainable
    ) -> sfn.Choice:
        """A failed condition means not enough stock; a conflict or throttle is retried a few times, with jitter."""
        wait = sfn.Wait(
            self, "WaitBeforeReservationRetry", time=sfn.WaitTime.seconds_path("$.reservationRetries.waitSeconds")
        )
        wait.next(check_inventory)
        first = sfn.Pass(
            self,
            "FirstReservationRetry",
            parameters={"count": 1, "waitSeconds": sfn.JsonPath.math_random(1, 3)},
            result_path="$.reservationRetries",
        )
        again = sfn.Pass(
            self,
            "NextReservationRetry",
            parameters={
                "count": sfn.JsonPath.math_add(sfn.JsonPath.number_at("$.reservationRetries.count"), 1),
                "waitSeconds": sfn.JsonPath.math_random(1, 5),
            },
            result_path="$.reservationRetries",
        )
        give_up = sfn.Pass(
            self,
            "ReservationKeptFailing",
            parameters={"Error": "ReservationFailed", "Cause": sfn.JsonPath.string_at("$.reservationFailure.Cause")},
            result_path="$.failure",
        )
        return (
            sfn.Choice(self, "WhyNotReserved")
            .when(
                sfn.Condition.string_matches("$.reservationFailure.Cause", "*ConditionalCheckFailed*"),
                mark_backordered,
            )
            .when(sfn.Condition.is_not_present("$.reservationRetries"), first.next(wait))
            .when(
                sfn.Condition.number_less_than("$.reservationRetries.count", MAX_RESERVATION_RETRIES), again.next(wait)
            )
            .otherwise(give_up.next(mark_failed))
        )

    def _invoke(
        self, construct_id: str, function: lambda_.IFunction, payload: dict[str, Any], *, result_path: str
    ) -> tasks.LambdaInvoke:
        invoke = tasks.LambdaInvoke(
            self,
            construct_id,
            lambda_function=function,
            payload=sfn.TaskInput.from_object(payload),
            payload_response_only=True,
            retry_on_service_exceptions=False,  # replaced by the retrier below, which adds jitter and RetryableError
            result_path=result_path,
        )
        invoke.add_retry(**transient_retry(TRANSIENT_LAMBDA_ERRORS))
        return invoke

    def _order_key(self) -> dict[str, tasks.DynamoAttributeValue]:
        key = tasks.DynamoAttributeValue.from_string(
            sfn.JsonPath.format(f"{ORDER.key_prefix}{{}}", sfn.JsonPath.string_at(ORDER_ID))
        )
        return {"pk": key, "sk": key}

    def _set_status(
        self,
        construct_id: str,
        expected: OrderStatus,
        new: OrderStatus,
        *,
        reason: str | None = None,
        reason_path: str | None = None,
        extra: dict[str, tasks.DynamoAttributeValue] | None = None,
    ) -> tasks.DynamoUpdateItem:
        values = {
            ":expected": tasks.DynamoAttributeValue.from_string(expected.value),
            ":new": tasks.DynamoAttributeValue.from_string(new.value),
            ":now": _string_at("$$.State.EnteredTime"),
        }
        assignments = ["#status = :new", "updatedAt = :now"]
        if reason or reason_path:
            values[":reason"] = (
                tasks.DynamoAttributeValue.from_string(reason) if reason else _string_at(str(reason_path))
            )
            assignments.append("statusReason = :reason")
        for name, value in (extra or {}).items():
            values[f":{name}"] = value
            assignments.append(f"{name} = :{name}")
        update = tasks.DynamoUpdateItem(
            self,
            construct_id,
            table=self._table,
            key=self._order_key(),
            update_expression="SET " + ", ".join(assignments),
            condition_expression="#status = :expected",
            expression_attribute_names={"#status": "status"},
            expression_attribute_values=values,
            result_path=sfn.JsonPath.DISCARD,
        )
        update.add_retry(errors=[CONDITION_FAILED], max_attempts=0)
        update.add_retry(**transient_retry(RETRY_EVERY_TASK_FAILURE))
        # The order is not in the status this step expects: another execution already moved it on.
        update.add_catch(self._already_handled, errors=[CONDITION_FAILED], result_path=sfn.JsonPath.DISCARD)
        return update

    def _transaction(self, construct_id: str, items_path: str) -> tasks.CallAwsService:
        transaction = tasks.CallAwsService(
            self,
            construct_id,
            service="dynamodb",
            action="transactWriteItems",
            parameters={"TransactItems": sfn.JsonPath.list_at(items_path)},
            # A transaction needs the permission of each write in it: only updates, only on this table.
            iam_action="dynamodb:UpdateItem",
            iam_resources=[self._table.table_arn],
            result_path=sfn.JsonPath.DISCARD,
        )
        transaction.add_retry(**transient_retry(TRANSIENT_DYNAMODB_SDK_ERRORS))
        return transaction


def _string_at(path: str) -> tasks.DynamoAttributeValue:
    return tasks.DynamoAttributeValue.from_string(sfn.JsonPath.string_at(path))
