"""Every custom metric the app publishes, and whether orders alone publish it.

CloudWatch bills a custom metric for the hours in which it receives data ("prorated by the hour and metered only when
you send metrics to CloudWatch": https://aws.amazon.com/cloudwatch/pricing/, and
https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_billing.html). A metric that counts what
goes wrong is therefore published only when it is not zero: its alarm treats missing data as not breaching, and it
costs nothing in a month where nothing went wrong. The cost model counts the metrics from here (devtools/cost)."""

from __future__ import annotations

from enum import StrEnum


class Metric(StrEnum):
    INTAKE_WRITTEN = "IntakeWritten"
    INTAKE_DUPLICATES = "IntakeDuplicates"
    INTAKE_REJECTED = "IntakeRejected"
    INTAKE_UNKNOWN_CUSTOMERS = "IntakeUnknownCustomers"
    STREAM_RECORDS_ENRICHED = "StreamRecordsEnriched"
    STREAM_RECORDS_REJECTED = "StreamRecordsRejected"
    STREAM_RECORD_AGE = "StreamRecordAgeSeconds"
    EVENTS_STORED = "EventsStored"
    DUPLICATE_EVENTS = "DuplicateEvents"
    FOREIGN_EVENTS = "ForeignEvents"
    ORDERS_VALIDATED = "OrdersValidated"
    ORDERS_INVALID = "OrdersInvalid"
    ORDERS_RESTARTED = "OrdersRestarted"
    ORDERS_OPEN_TOO_LONG = "OrdersOpenTooLong"
    # Put by the workflow itself (a PutMetricData task), when an execution finds its order already moved on.
    ALREADY_HANDLED_EXECUTIONS = "AlreadyHandledExecutions"
    # The cache sync read the table again after a put and found a newer version: another sync had cached an older
    # read meanwhile, and this one put the newer state back (lambdas/cache_sync/sync.py).
    CACHE_SYNC_RACES = "CacheSyncRaces"


# Published in every hour that has orders: what the default traffic does, including the share of orders intake
# rejects and the workflow finds invalid (the cost model's traffic profile has both in every hour).
WITH_TRAFFIC = frozenset(
    {
        Metric.INTAKE_WRITTEN,
        Metric.INTAKE_REJECTED,
        Metric.STREAM_RECORDS_ENRICHED,
        Metric.STREAM_RECORD_AGE,
        Metric.EVENTS_STORED,
        Metric.ORDERS_VALIDATED,
        Metric.ORDERS_INVALID,
    }
)
# Published only when something went wrong or was repeated: never with a zero.
ON_INCIDENT = frozenset(Metric) - WITH_TRAFFIC
