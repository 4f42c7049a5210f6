"""ProcessOrder's rules, free of I/O: is the order valid, what does it cost, what must be reserved."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec

from lambdas.shared.dynamodb_json import item_to_json
from lambdas.shared.entities import ORDER, PRODUCT
from lambdas.shared.orders import UNRESERVED, OrderLines, OrderStatus
from lambdas.shared.table import item_key
from lambdas.shared.table_keys import SETTLED
from lambdas.shared.validation import converted, first_problem
from lambdas.shared.versions import CAUSATION_ATTRIBUTE, NEXT_VERSION, NEXT_VERSION_NAMES, NEXT_VERSION_VALUES

RELEASE_REASON = "Shipping failed after stock was reserved; the reservation was released"


class InvalidOrder(Exception):
    """A business outcome, not a failure: the order ends INVALID with this reason."""


def validate(order: dict[str, Any]) -> OrderLines:
    try:
        lines = converted(order, OrderLines)
    except msgspec.ValidationError as error:
        raise InvalidOrder(first_problem(error, whole="order")) from None
    stated_total = order.get("totalMinor")
    if stated_total is not None and stated_total != lines.total_minor:
        raise InvalidOrder(f"totalMinor {stated_total!r} does not match the line items' total {lines.total_minor}")
    return lines


def check_references(
    lines: OrderLines,
    snapshot: dict[str, Any] | None,
    find_customer: Callable[[str], dict[str, Any] | None],
    stock_of: Callable[[list[str]], dict[str, Any]],
) -> dict[str, Any]:
    """The order's customer as plain JSON: the snapshot intake attached (no read), else the customer's item read now
    (orders written without intake have none). Raises InvalidOrder for an unknown customer or product, or a product
    whose stock is not a number (the reservation's condition could never hold, and the order would look backordered
    when the catalogue is what is wrong)."""
    customer = snapshot if isinstance(snapshot, dict) else _read_customer(lines.customer_id, find_customer)
    skus = list(lines.quantities_by_sku())
    stock = stock_of(skus)
    missing = sorted(set(skus) - set(stock))
    if missing:
        raise InvalidOrder(f"unknown products: {', '.join(missing)}")
    unstockable = sorted(f"{sku} ({_shown(value)})" for sku, value in stock.items() if not _is_number(value))
    if unstockable:
        raise InvalidOrder(f"products whose stock is not a number: {', '.join(unstockable)}")
    return customer


def _is_number(attribute: Any) -> bool:
    return isinstance(attribute, dict) and set(attribute) == {"N"}


def _shown(attribute: Any) -> str:
    if not isinstance(attribute, dict) or not attribute:
        return "no stock"
    [(kind, value)] = list(attribute.items())[:1]
    return f"{kind} {str(value)[:40]!r}"


def _read_customer(customer_id: str, find_customer: Callable[[str], dict[str, Any] | None]) -> dict[str, Any]:
    item = find_customer(customer_id)
    if item is None:
        raise InvalidOrder(f"unknown customer {customer_id!r}")
    return item_to_json(item)


def reservation_plan(
    table_name: str, order_id: str, lines: OrderLines, now: str, *, execution: str, cause: str
) -> dict[str, list[dict[str, Any]]]:
    """TransactItems for Step Functions' DynamoDB transactWriteItems: reserve all stock, or later release it.

    Each transaction also moves the order's status, conditionally, so that running it twice changes nothing:
    `reserve` needs an unreserved order (-> RESERVED), `release` needs RESERVED (-> FAILED, settled). Both record
    the workflow execution that made the change (`workflowExecution`), for `ops.orders show`, and its cause; every
    item's `version` goes up by one (lambdas/shared/versions.py).
    """
    quantities = lines.quantities_by_sku()
    reserve = [
        _order_update(table_name, order_id, expected=UNRESERVED, new=OrderStatus.RESERVED, now=now,
                      total_minor=lines.total_minor, execution=execution, cause=cause),
        *(_stock_update(table_name, sku, -quantity) for sku, quantity in quantities.items()),
    ]  # fmt: skip
    release = [
        _order_update(table_name, order_id, expected=(OrderStatus.RESERVED,), new=OrderStatus.FAILED, now=now,
                      total_minor=lines.total_minor, execution=execution, cause=cause, reason=RELEASE_REASON,
                      settles=True),
        *(_stock_update(table_name, sku, quantity) for sku, quantity in quantities.items()),
    ]  # fmt: skip
    return {"reserve": reserve, "release": release}


def _order_update(
    table_name: str,
    order_id: str,
    *,
    expected: tuple[OrderStatus, ...],
    new: OrderStatus,
    now: str,
    total_minor: int,
    execution: str,
    cause: str,
    reason: str | None = None,
    settles: bool = False,
) -> dict[str, Any]:
    allowed = {f":expected{n}": {"S": status.value} for n, status in enumerate(expected)}
    values: dict[str, Any] = {
        **allowed,
        ":new": {"S": new.value},
        ":now": {"S": now},
        ":total": {"N": str(total_minor)},
        ":execution": {"S": execution},
        ":cause": {"S": cause},
        **NEXT_VERSION_VALUES,
    }
    update = (
        "SET #status = :new, updatedAt = :now, totalMinor = :total, workflowExecution = :execution, "
        f"{CAUSATION_ATTRIBUTE} = :cause"
    )
    if reason:
        update += ", statusReason = :reason"
        values[":reason"] = {"S": reason}
    update += f" {NEXT_VERSION}"
    if settles:
        update += f" {SETTLED}"
    return {
        "Update": {
            "TableName": table_name,
            "Key": item_key(ORDER, order_id),
            "UpdateExpression": update,
            "ConditionExpression": f"#status IN ({', '.join(allowed)})",
            "ExpressionAttributeNames": {"#status": "status", **NEXT_VERSION_NAMES},
            "ExpressionAttributeValues": values,
        }
    }


def _stock_update(table_name: str, sku: str, change: int) -> dict[str, Any]:
    quantity = {"N": str(abs(change))}
    if change < 0:  # reserving: only while enough is left
        expression, condition = "SET stock = stock - :quantity", "stock >= :quantity"
    else:  # releasing: the product must still exist, never recreate it
        expression, condition = "SET stock = stock + :quantity", "attribute_exists(stock)"
    return {
        "Update": {
            "TableName": table_name,
            "Key": item_key(PRODUCT, sku),
            "UpdateExpression": f"{expression} {NEXT_VERSION}",
            "ConditionExpression": condition,
            "ExpressionAttributeNames": NEXT_VERSION_NAMES,
            "ExpressionAttributeValues": {":quantity": quantity, **NEXT_VERSION_VALUES},
        }
    }
