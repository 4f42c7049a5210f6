"""The local Pipes runner renders input templates as the Pipes guide documents, and refuses what it leaves open."""

from __future__ import annotations

import pytest

from rendering.pipe_input import TransformError, dynamic_parameter, render, value_at
from tests.support.pipes_input import sqs_record

RESERVED = {"aws.pipes.pipe-name": "orders-intake"}


def test_a_json_body_is_read_through_implicitly() -> None:
    record = sqs_record("m-1", '{"order": {"id": "o-1", "lines": [3, 4]}}')
    assert value_at(record, "$.body.order.id") == "o-1"
    assert value_at(record, "$.body.order.lines[1]") == 4
    assert value_at(sqs_record("m-2", "plain text"), "$.body") == "plain text"


def test_quoted_strings_and_unquoted_objects_render_as_documented() -> None:
    record = sqs_record("m-1", '{"order": {"id": "o-\\"1\\""}}')
    template = '{"id": "<$.messageId>", "order": <$.body.order>, "pipe": "<aws.pipes.pipe-name>"}'
    rendered = render(template, record, RESERVED)
    assert rendered == {"id": "m-1", "order": {"id": 'o-"1"'}, "pipe": "orders-intake"}


def test_a_string_placed_without_quotes_is_refused() -> None:
    """The template the intake pipe had: whether Pipes quotes a bare string is not documented."""
    with pytest.raises(TransformError, match=r"<\$\.messageId> resolves to a string but is not inside quotes"):
        render('{"messageId":<$.messageId>,"body":<$.body>}', sqs_record("m-1", "{}"), {})


def test_an_object_placed_inside_quotes_is_refused() -> None:
    with pytest.raises(TransformError, match="inside quotes"):
        render('{"body": "<$.body>"}', sqs_record("m-1", '{"a": 1}'), {})


def test_a_path_to_nothing_fails_the_invocation() -> None:
    with pytest.raises(TransformError, match=r"\$\.body\.missing resolves to nothing"):
        render('{"x": <$.body.missing>}', sqs_record("m-1", "{}"), {})


def test_free_text_stays_text() -> None:
    assert render("Hello, <$.messageId>", sqs_record("m-7", "{}"), {}) == "Hello, m-7"


def test_target_parameters_read_dynamic_paths_from_each_element() -> None:
    element = {"metadata": {"detailType": "OrderCreated"}}
    assert dynamic_parameter("$.metadata.detailType", element) == "OrderCreated"
    assert dynamic_parameter("orders.table", element) == "orders.table"
