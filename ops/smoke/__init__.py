"""The smoke scenario: orders driven through a deployed environment, every hop checked and traced.

`python -m ops.smoke --env <env>` runs it against AWS (the environment's credentials); `make local-smoke` against
the local cloud. Only the endpoint differs: the local run also reads the Momento stand-in's request log.
"""
