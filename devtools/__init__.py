"""Tools for developers, which synthesize the app or stand in for AWS: the offline IAM check (`authorization`),
the cost model (`cost`), the event catalog generator (`event_catalog`), the synthesizer they share (`synth`), and
in-memory fakes of DynamoDB, SQS and the Lambda context for running handlers in-process (tests and benchmarks).

The on-call tools are in `ops/`; nothing in `ops/` imports from here.
"""
