"""The whole app on this machine: a local AWS emulator, a Momento stand-in and a Pipes runner.

`python -m local_cloud up | deploy | status | down` (the Makefile's `local-*` targets). A development tool: nothing
here is deployed, and nothing in `stacks/` or `lambdas/` depends on it. What stands in for what, and why, is in the
README ("Run it locally") and in the docstrings of `unsupported_resources` and `pipes`.
"""
