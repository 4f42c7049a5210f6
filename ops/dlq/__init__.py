"""Dead-letter queues of an environment: list them, read them, and put their messages back where they belong.

`python -m ops.dlq --env <env> list | show <dlq> | redrive <dlq>`. Each kind goes back to the one consumer that
missed it, never to every rule on the bus (see `redrive.py`). The runbook (docs/runbook.md) says when to use which.
"""
