"""A stand-in for EventBridge Pipes, running the deployed app's pipes against the local emulator.

MiniStack 1.5.33 keeps only a pipe's source, target and starting position, and moves data only from a DynamoDB
stream to SNS or Step Functions. This runner reads every `AWS::Pipes::Pipe` of the deployed cloud assembly
(`.local/cdk.out`, never a copy of the app's code), resolves it against the emulator's stacks, and runs it while the
emulator reports the pipe RUNNING (so `aws pipes stop-pipe` works). It polls the table's stream and the queues
itself, so a write made by any tool flows through as on AWS. It shrinks as the emulator learns Pipes.

Covered, as the Pipes user guide documents it:
- sources: a DynamoDB stream (every shard, TRIM_HORIZON or LATEST, batch size and batching window) and an SQS queue
  (batch size and window, long polling, visibility timeout left to SQS, up to five batches handled at once);
- a stream pipe's position, kept across redeploys (in memory) and restarts of the runner (each committed batch,
  in `.local/pipes-checkpoints.json`: local_cloud/pipes/checkpoints.py);
- filter criteria (any pattern matches; evaluated by the emulator's EventBridge pattern engine; an SQS body that is
  JSON is filtered as JSON); what a filter drops from a queue is deleted;
- a Lambda enrichment, invoked synchronously with the batch as one JSON array, with its input template;
- targets: an event bus (Source, DetailType, Resources, Time as static values or dynamic JSON paths read from each
  enriched element, the element as the detail, at most 10 entries per PutEvents, each of at most 256 KB as
  EventBridge counts it, which the emulator does not check) and a Lambda function invoked
  REQUEST_RESPONSE (input template per record, `batchItemFailures` honoured);
- input templates (`<$.path>`, reserved `<aws.pipes.*>` variables, implicit body parsing), refusing the placements
  whose outcome Pipes does not document;
- stream failures: MaximumRetryAttempts, MaximumRecordAgeInSeconds, AUTOMATIC_BISECT, and a DLQ that receives the
  batch's shard and sequence-number range;
- the pipe's IAM role: the calls the pipe makes (queue source, enrichment, target, DLQ) are made as that role, and
  the emulator enforces IAM, so a permission the role lacks fails here too. Filters are evaluated with the
  runner's own credentials (on AWS that is Pipes' internal work), and so is a stream read: MiniStack 1.5.33
  authorizes DynamoDB Streams calls against resource "*", which a role scoped to the stream's ARN never allows.

Not covered (a pipe that needs one of these is reported and not run, or the difference is harmless here):
- other sources, enrichments and targets; FIRE_AND_FORGET; Kinesis/MSK/MQ parameters;
- ParallelizationFactor (each shard is read one batch at a time, so order within a shard holds as it does for 1);
- log destinations and metrics (the runner logs every batch to `.local/pipes-runner.log` instead), Pipes' own
  retry backoff (retries here are quick), and automatic disabling of a pipe after persistent 4xx errors;
"""
