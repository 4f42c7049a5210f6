"""Typed per-environment configuration: the models of one `environments` block of cdk.json.

`stacks/config_loading.py` reads and checks cdk.json into these; stacks receive the resulting plain values. Each
constrained setting names an example, which error messages show instead of the rule.
"""

from __future__ import annotations

from functools import cache
from typing import Literal
from urllib.parse import urlsplit

from botocore.loaders import create_loader
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.alias_generators import to_camel

ENVIRONMENTS_CONTEXT_KEY = "environments"
DEFAULT_ENVIRONMENT = "dev"

# The account a local emulator answers as (MiniStack, LocalStack): no real AWS account has this id, so an
# environment bound to it can never be deployed to AWS by mistake.
LOCAL_CLOUD_ACCOUNT = "000000000000"
LOOPBACK_HOSTS = frozenset(("127.0.0.1", "localhost"))

# CloudWatch Logs accepts only these retention periods.
LOG_RETENTION_DAYS = frozenset(
    (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)
)


class ConfigError(Exception):
    """cdk.json cannot be used as it is; the message has one line per problem, each meant for humans."""

    def report(self) -> str:
        problems = str(self).splitlines()
        heading = "Configuration error" if len(problems) == 1 else f"{len(problems)} configuration errors"
        return f"{heading}:\n" + "\n".join(f"  {problem}" for problem in problems)


@cache
def known_regions() -> frozenset[str]:
    """The regions of botocore's endpoint data (the same 46 as aws_cdk.region_info, without starting jsii, so the
    operator CLIs stay fast and quiet): a name outside them is a typo or a fake."""
    endpoints = create_loader().load_data("endpoints")
    return frozenset(region for partition in endpoints["partitions"] for region in partition["regions"])


class _Settings(BaseModel):
    # Optional settings default to None: the jsii bridge drops null values from context, so absent and null are one.
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True, strict=True)


# A stream keeps records 24 hours; a stream pipe's DLQ gets pointers to records, not the records. An operator needs
# time, after a pointer arrives, to read the records back before the stream trims them (ops.dlq redrive). The Pipes
# troubleshooting guide asks for a record age below the retention for this reason:
# https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-error-troubleshooting.html
STREAM_RETENTION_SECONDS = 24 * 3600
REDRIVE_WINDOW_SECONDS = 4 * 3600


class StreamPipeSettings(_Settings):
    # An event bus target takes at most 10 events per PutEvents call, so a larger batch is rejected by Pipes.
    batch_size: int = Field(ge=1, le=10)
    maximum_batching_window_seconds: int = Field(ge=0, le=300)
    starting_position: Literal["TRIM_HORIZON", "LATEST"]
    # Finite by construction: the service default (-1, infinite) can block a shard for a day.
    maximum_retry_attempts: int = Field(ge=0, le=10_000)
    maximum_record_age_seconds: int = Field(ge=60, examples=[21_600])
    parallelization_factor: int = Field(ge=1, le=10)
    log_level: Literal["OFF", "ERROR", "INFO", "TRACE"]

    @field_validator("maximum_record_age_seconds")
    @classmethod
    def _leaves_time_to_redrive(cls, seconds: int) -> int:
        limit = STREAM_RETENTION_SECONDS - REDRIVE_WINDOW_SECONDS
        if seconds > limit:
            raise ValueError(
                f"must be at most {limit}: the stream keeps records {STREAM_RETENTION_SECONDS // 3600} h and the DLQ "
                f"gets only pointers to them, so at least {REDRIVE_WINDOW_SECONDS // 3600} h must be left to redrive"
            )
        return seconds


class IntakeSettings(_Settings):
    batch_size: int = Field(ge=1, le=10_000)
    maximum_batching_window_seconds: int = Field(ge=0, le=300)
    max_receive_count: int = Field(ge=1, le=1_000)
    backlog_max_age_seconds: int = Field(ge=60)
    log_level: Literal["OFF", "ERROR", "INFO", "TRACE"]


class WorkflowSettings(_Settings):
    type: Literal["EXPRESS", "STANDARD"]
    log_level: Literal["ALL", "ERROR", "FATAL", "OFF"]
    include_execution_data: bool
    high_value_order_threshold_minor: int = Field(ge=1)
    review_queue_max_age_seconds: int = Field(ge=60)
    # The share of executions X-Ray traces (each with the segments of the functions it calls); 1 keeps X-Ray's
    # default rule (one a second, then 5 %, which at low traffic is every execution).
    traced_share: float = Field(gt=0, le=1, examples=[0.05])


class EventStoreSettings(_Settings):
    retention_days: int | None = Field(default=None, ge=1)
    batch_size: int = Field(ge=1, le=10_000)
    # How many writers the buffer may run at once (the SQS event source's MaximumConcurrency, 2..1000): a 365-day
    # archive replay or a large redrive waits in the buffer instead of taking the account's concurrency from
    # intake and the workflow. https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html
    maximum_concurrency: int = Field(ge=2, le=1000, examples=[10])


class CacheSettings(_Settings):
    # https on AWS; plain http only for a stand-in on this machine, which only a local-cloud environment may use.
    endpoint: str = Field(
        pattern=r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$",
        examples=["https://api.cache.cell-1-eu-west-1-1.prod.a.momentohq.com"],
    )
    cache_name: str = Field(pattern=r"^[A-Za-z0-9._-]{1,255}$", examples=["orders-dev"])
    topic_name: str = Field(pattern=r"^[A-Za-z0-9._-]{1,255}$", examples=["order-changes"])
    ttl_seconds: int = Field(ge=1)
    api_key_secret_name: str = Field(min_length=1, max_length=512, examples=["orders/dev/momento-api-key"])
    invocation_rate_limit_per_second: int = Field(ge=1, le=300)


RetiredIndex = Literal["GSI1"]  # the keys of stacks/data_stack.py RETIRED_INDEXES


class EnvironmentConfig(_Settings):
    name: str
    account: str | None = Field(default=None, pattern=r"^\d{12}$", examples=["123456789012"])
    # Required: without one, a deploy goes wherever the deployer's credentials default to, and the tools cannot find it.
    region: str = Field(pattern=r"^[a-z]{2}(-[a-z]+)+-[0-9]$", examples=["eu-west-1"])
    retain_data: bool
    log_retention_days: int
    lambda_log_level: Literal["DEBUG", "INFO", "WARN", "ERROR"]
    # ACTIVE: every function starts traces of its own (X-Ray's default sampling); PASS_THROUGH: a function is traced
    # only as part of a traced caller's request (the workflow's), so pipes and pollers start no traces.
    lambda_tracing: Literal["ACTIVE", "PASS_THROUGH"]
    archive_retention_days: int = Field(ge=1)
    alarm_email: str | None = Field(
        default=None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", examples=["orders-oncall@example.com"]
    )
    stream_pipe: StreamPipeSettings
    intake: IntakeSettings
    workflow: WorkflowSettings
    event_store: EventStoreSettings
    cache: CacheSettings
    # A standby copy of the app in a second region (docs/decisions.md, "A standby region"): the table gets a replica
    # there, the same stacks are deployed there, and a global endpoint routes producers' events to it when the
    # primary is unhealthy. `activeRegion` is the region whose stream pipe publishes (the primary unless failed over).
    secondary_region: str | None = Field(default=None, examples=["eu-central-1"])
    active_region: str | None = Field(default=None, examples=["eu-west-1"])
    # The global endpoint's event replication (AWS's default and recommendation). The app's own rules, store, log and
    # archive never act on the other region's copies (docs/decisions.md, "A standby region"), so for the app a
    # replicated copy is only a charge; an environment whose other teams consume the primary's events in the standby
    # region keeps it on (decision 31).
    event_replication: bool = True
    # Accounts whose teams subscribe to the bus with rules of their own, delivering to their own account
    # (stacks/building_blocks/cross_account_subscribers.py, docs/consumers.md).
    cross_account_subscribers: list[str] = Field(default_factory=list, examples=[["210987654321"]])
    # Retired table indexes the deployed table still has, kept for one deploy while their replacement is added
    # (stacks/data_stack.py RETIRED_INDEXES; README, "Deploy"). Empty for a new environment.
    keep_retired_indexes: list[RetiredIndex] = Field(default_factory=list)
    # Deployed to a local emulator (`make local-deploy`), never to AWS: the dependencies layer is built for this
    # machine's interpreter (the emulator runs every python* function on it) and the Momento endpoint may be a
    # stand-in on loopback. Nothing else differs from an AWS environment.
    local_cloud: bool = False

    @field_validator("region", "secondary_region", "active_region")
    @classmethod
    def _is_a_region(cls, region: str | None) -> str | None:
        if region is not None and region not in known_regions():
            raise ValueError("is not an AWS region")
        return region

    @field_validator("log_retention_days")
    @classmethod
    def _is_cloudwatch_retention(cls, days: int) -> int:
        if days not in LOG_RETENTION_DAYS:
            raise ValueError(
                f"must be a CloudWatch Logs retention period: {', '.join(map(str, sorted(LOG_RETENTION_DAYS)))}"
            )
        return days

    @model_validator(mode="after")
    def _regions_fit_together(self) -> EnvironmentConfig:
        if self.secondary_region is not None:
            if self.region is None:
                raise ValueError("secondaryRegion needs region: a standby is defined against a named primary")
            if self.secondary_region == self.region:
                raise ValueError(f"secondaryRegion must differ from region (both are {self.region!r})")
            if self.local_cloud:
                raise ValueError(
                    "secondaryRegion cannot be used in a localCloud environment (one emulator, one region)"
                )
        if not self.event_replication and self.secondary_region is None:
            raise ValueError("eventReplication is a setting of the global endpoint: it needs secondaryRegion")
        if self.active_region is not None and self.active_region not in (self.region, self.secondary_region):
            raise ValueError(
                f"activeRegion must be region ({self.region!r}) or secondaryRegion ({self.secondary_region!r}), "
                f"got {self.active_region!r}"
            )
        return self

    @property
    def regions(self) -> list[str]:
        """Where the app is deployed: the primary region, then the standby's if there is one."""
        return [r for r in (self.region, self.secondary_region) if r is not None]

    @property
    def publishing_region(self) -> str | None:
        """The region whose stream pipe runs (the other region's is deployed stopped)."""
        return self.active_region or self.region

    @model_validator(mode="after")
    def _local_cloud_stays_local(self) -> EnvironmentConfig:
        endpoint = urlsplit(self.cache.endpoint)
        if self.local_cloud:
            if self.account != LOCAL_CLOUD_ACCOUNT:
                raise ValueError(f"a localCloud environment must set account {LOCAL_CLOUD_ACCOUNT!r}, the emulator's")
        elif endpoint.scheme != "https":
            raise ValueError(
                f"cache.endpoint must be https outside a localCloud environment (got {self.cache.endpoint!r})"
            )
        if endpoint.scheme == "http" and endpoint.hostname not in LOOPBACK_HOSTS:
            raise ValueError(f"cache.endpoint may be plain http only on loopback (got {self.cache.endpoint!r})")
        return self
