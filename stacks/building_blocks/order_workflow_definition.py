"""The order workflow's states: ProcessOrder -> CheckInventory -> ShipOrder, resumed from the order's status.

Input: an order's OrderCreated `detail`, or just `{"metadata": {"entityId", "correlationId"}}` (the order sweeper,
`ops.orders retry`): ProcessOrder reads the order as it is now and the workflow goes on from its status, so an
execution that runs again after another stopped part-way finishes the order (decision 27):
- PENDING (or PROCESSING, left by the earlier workflow): validate, reserve (PENDING -> RESERVED with the stock, one
  transaction), ship, SHIPPED;
- RESERVED: ship (the shipment is created once), SHIPPED;
- settled or gone: nothing. Such an execution is counted (`AlreadyHandledExecutions` in the Orders namespace, on the
  dashboard) and succeeds: a duplicate delivery, a restart of an order another execution finished, or after a
  failover the same change published by both regions (decision 18).
Every status write is conditional on the status the step expects and records the execution that made it. Business
outcomes (INVALID, BACKORDERED) end in Succeed states; operational failures end in Fail states, which the
failed-executions alarm reports.
"""

from __future__ import annotations

from typing import Any

from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from constructs import Construct

from lambdas.shared.metric_names import Metric
from lambdas.shared.orders import UNRESERVED, OrderStatus
from stacks.building_blocks.order_workflow_tasks import (
    RETRY_EVERY_TASK_FAILURE,
    TRANSACTION_CANCELED,
    invoke,
    order_key,
    set_status,
    string_at,
    transaction,
    transient_retry,
)
from stacks.building_blocks.powertools_function import METRICS_NAMESPACE

ALREADY_HANDLED_METRIC = Metric.ALREADY_HANDLED_EXECUTIONS.value
WORKFLOW_METRICS_SERVICE = "order-workflow"  # the `service` dimension, as Powertools names the functions' metrics
MAX_RESERVATION_RETRIES = 3
BACKORDER_REASON = "Not enough stock for every line item; nothing was reserved"


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
        process = self._process_order(process_order, mark_failed)
        mark_invalid, mark_backordered = self._business_outcomes()
        check_inventory = self._check_inventory(mark_backordered, mark_failed)
        ship = self._shipping(ship_order)
        check_inventory.next(ship)

        self.start: sfn.IChainable = process.next(
            sfn.Choice(self, "ResumeFromStatus")
            .when(
                sfn.Condition.string_equals("$.processing.status", OrderStatus.PENDING.value),
                sfn.Choice(self, "IsOrderValid")
                .when(sfn.Condition.boolean_equals("$.processing.valid", False), mark_invalid)
                .otherwise(check_inventory),
            )
            .when(sfn.Condition.string_equals("$.processing.status", OrderStatus.RESERVED.value), ship)
            .otherwise(self._already_handled)
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
        mark_failed = self._set_status("MarkFailed", UNRESERVED, OrderStatus.FAILED, reason_path="$.failure.Cause")
        mark_failed.next(failed)
        return mark_failed

    def _process_order(self, process_order: lambda_.IFunction, mark_failed: sfn.IChainable) -> sfn.TaskStateBase:
        process = invoke(self, "ProcessOrder", process_order, {}, result_path="$.processing")
        process.add_catch(mark_failed, errors=["States.ALL"], result_path="$.failure")
        return process

    def _business_outcomes(self) -> tuple[sfn.TaskStateBase, sfn.TaskStateBase]:
        """INVALID and BACKORDERED: outcomes, not failures, so they end in Succeed states."""
        mark_invalid = self._set_status(
            "MarkInvalid",
            UNRESERVED,
            OrderStatus.INVALID,
            reason_path="$.processing.reason",
            or_without_status=True,  # an order item without a status (not intake's) ends INVALID with its reason
        )
        mark_invalid.next(sfn.Succeed(self, "OrderInvalid"))
        mark_backordered = self._set_status("MarkBackordered", UNRESERVED, OrderStatus.BACKORDERED,
                                            reason=BACKORDER_REASON)  # fmt: skip
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

    def _shipping(self, ship_order: lambda_.IFunction) -> sfn.TaskStateBase:
        """ShipOrder, compensated by releasing the reservation when it fails; then MarkShipped and OrderShipped."""
        release = self._transaction("ReleaseReservation", "$.processing.reservation.release")
        release.add_retry(**transient_retry([TRANSACTION_CANCELED]))
        release.add_catch(
            sfn.Fail(self, "CompensationFailed", error="CompensationFailed", cause_path="$.compensationFailure.Cause"),
            errors=["States.ALL"],
            result_path="$.compensationFailure",
        )
        release.next(sfn.Fail(self, "FailedAndReleased", error="ShippingFailed", cause_path="$.failure.Cause"))

        ship = invoke(
            self,
            "ShipOrder",
            ship_order,
            {"lineItems": sfn.JsonPath.list_at("$.processing.lineItems")},
            result_path="$.shipment",
        )
        ship.add_catch(release, errors=["States.ALL"], result_path="$.failure")

        mark_shipped = self._set_status(
            "MarkShipped",
            (OrderStatus.RESERVED,),
            OrderStatus.SHIPPED,
            # The shipment lives on the order (decision 29): one write, one OrderUpdated, no Shipment item.
            extra={"shipmentId": string_at("$.shipment.shipmentId"), "shippedAt": string_at("$.shipment.shippedAt")},
        )
        mark_shipped.add_catch(
            sfn.Fail(self, "ShippedButStatusNotUpdated", error="StatusNotUpdated", cause_path="$.failure.Cause"),
            errors=["States.ALL"],
            result_path="$.failure",
        )
        ship.next(mark_shipped).next(sfn.Succeed(self, "OrderShipped"))
        return ship

    def _why_not_reserved(
        self, check_inventory: sfn.TaskStateBase, mark_backordered: sfn.IChainable, mark_failed: sfn.IChainable
    ) -> sfn.Choice:
        """A failed condition is either the stock (not enough) or the order (another execution reserved or settled it
        first): which one is read from the order, not from the cancellation's wording. A conflict or throttle is
        retried a few times, with jitter."""
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
                self._still_unreserved(mark_backordered, mark_failed),
            )
            .when(sfn.Condition.is_not_present("$.reservationRetries"), first.next(wait))
            .when(
                sfn.Condition.number_less_than("$.reservationRetries.count", MAX_RESERVATION_RETRIES), again.next(wait)
            )
            .otherwise(give_up.next(mark_failed))
        )

    def _still_unreserved(self, mark_backordered: sfn.IChainable, mark_failed: sfn.IChainable) -> sfn.IChainable:
        """The order as it is now: still unreserved means the stock failed the condition (backordered); anything
        else means another execution moved it on."""
        read = tasks.DynamoGetItem(
            self,
            "ReadOrderStatus",
            table=self._table,
            key=order_key(),
            consistent_read=True,  # the whole item: an order is well under 4 KB, one read unit either way
            result_path="$.current",
        )
        read.add_retry(**transient_retry(RETRY_EVERY_TASK_FAILURE))
        read.add_catch(mark_failed, errors=["States.ALL"], result_path="$.failure")
        unreserved = [sfn.Condition.string_equals("$.current.Item.status.S", s.value) for s in UNRESERVED]
        return read.next(
            sfn.Choice(self, "IsStillUnreserved")
            .when(
                sfn.Condition.and_(sfn.Condition.is_present("$.current.Item.status.S"), sfn.Condition.or_(*unreserved)),
                mark_backordered,
            )
            .otherwise(self._already_handled)
        )

    def _set_status(
        self, construct_id: str, expected: tuple[OrderStatus, ...], new: OrderStatus, **options: Any
    ) -> tasks.DynamoUpdateItem:
        return set_status(self, construct_id, self._table, expected, new, already_handled=self._already_handled,
                          **options)  # fmt: skip

    def _transaction(self, construct_id: str, items_path: str) -> tasks.CallAwsService:
        return transaction(self, construct_id, self._table, items_path)
