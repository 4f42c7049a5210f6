"""Tools for developers, which synthesize the app or stand in for AWS: the offline IAM check (`authorization`),
the cost model (`cost`), the event catalog generator (`event_catalog`), the synthesizer they share (`synth`), and
in-memory fakes of DynamoDB, SQS and the Lambda context for running handlers in-process (tests and benchmarks).

The on-call tools are in `ops/`; nothing in `ops/` imports from here.
"""

import os

# jsii prints Node 20's end-of-life notice through every Python process that loads aws_cdk (as b'...' lines); the
# README says which Node to use and that 20 still works. Set before aws_cdk is imported, as the Makefile does.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
