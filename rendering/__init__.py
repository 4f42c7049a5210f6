"""What AWS services hand a target, rendered as AWS does: EventBridge rule input transformers and HTTP parameters
(`rule_input`), Pipes input templates (`pipe_input`) and the records Pipes passes on (`pipe_records`).

Neutral ground: it imports nothing of the app's. The DLQ redrive (`ops.dlq`), the local Pipes runner
(`local_cloud.pipes`) and the tests all render through it, so they cannot disagree.
"""
