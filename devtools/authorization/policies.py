"""Which policies apply to a call: the caller role's identity policies, and the callee's resource policy as each
service keeps it (a queue policy, a topic policy, the region's CloudWatch Logs resource policies, a role's trust
policy, Lambda permissions)."""

from __future__ import annotations

from typing import Any

from devtools.authorization.deployment import Deployment, Located, UnknownResource
from devtools.authorization.policy import Statement

# SNS's own policy for a topic nobody gave one: the owner account's principals, through AWS:SourceOwner.
# https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html
_SNS_DEFAULT_ACTIONS = ["SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission",
                        "SNS:RemovePermission", "SNS:DeleteTopic", "SNS:Subscribe", "SNS:ListSubscriptionsByTopic",
                        "SNS:Publish"]  # fmt: skip


class Policies:
    def __init__(self, deployment: Deployment) -> None:
        self.deployment = deployment

    def role(self, role_arn: str) -> Located:
        found = self.deployment.find_arn(role_arn)
        if found is None or found.type != "AWS::IAM::Role":
            raise UnknownResource(f"role {role_arn} is not in the app")
        return found

    def identity(self, role_arn: str) -> list[Statement]:
        """Every statement attached to the role: its inline policies and each AWS::IAM::Policy naming it."""
        role = self.role(role_arn)
        if role.properties.get("ManagedPolicyArns") or role.properties.get("PermissionsBoundary"):
            raise UnknownResource(f"{role.path}: managed policies and boundaries are not evaluated")
        statements = [
            statement
            for inline in role.properties.get("Policies", [])
            for statement in self.deployment.policy(role.stack, inline["PolicyDocument"])
        ]
        for policy in self.deployment.resources("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            attached = self.deployment.resolve(policy.stack, policy.properties.get("Roles", []))
            if role.name in attached:
                statements += self.deployment.policy(policy.stack, policy.properties["PolicyDocument"])
        return statements

    def trust(self, role_arn: str) -> list[Statement]:
        role = self.role(role_arn)
        return self.deployment.policy(role.stack, role.properties["AssumeRolePolicyDocument"])

    def resource(self, arn: str) -> list[Statement] | None:
        """The resource policy that governs calls on `arn`; None where the resource has none (nothing but identity
        policies decides, as for this app's tables, state machines, functions without permissions)."""
        service = arn.split(":")[2]
        if service == "events":
            return self._bus_policy(arn) if ":event-bus/" in arn or ":rule/" in arn else None
        readers = {"sqs": self._queue_policy, "sns": self._topic_policy, "logs": self._logs_policies,
                   "iam": self.trust, "lambda": self._lambda_permissions}  # fmt: skip
        reader = readers.get(service)
        return reader(arn) if reader else None

    def _queue_policy(self, arn: str) -> list[Statement]:
        return self._attached("AWS::SQS::QueuePolicy", "Queues", self._queue_url(arn))

    def _queue_url(self, arn: str) -> str:
        _, _, _, region, account, name = arn.split(":")
        return f"https://sqs.{region}.amazonaws.com/{account}/{name}"

    def _attached(self, policy_type: str, targets_key: str, target: str) -> list[Statement]:
        return [
            statement
            for policy in self.deployment.resources(policy_type)
            if target in self.deployment.resolve(policy.stack, policy.properties[targets_key])
            for statement in self.deployment.policy(policy.stack, policy.properties["PolicyDocument"])
        ]

    def _topic_policy(self, arn: str) -> list[Statement]:
        has_policy = any(
            arn in self.deployment.resolve(policy.stack, policy.properties["Topics"])
            for policy in self.deployment.resources("AWS::SNS::TopicPolicy")
        )
        if has_policy:  # an explicit topic policy replaces SNS's default one
            return self._attached("AWS::SNS::TopicPolicy", "Topics", arn)
        account = arn.split(":")[4]
        return [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": _SNS_DEFAULT_ACTIONS, "Resource": arn,
                 "Condition": {"StringEquals": {"AWS:SourceOwner": account}}}]  # fmt: skip

    def _logs_policies(self, arn: str) -> list[Statement]:
        """CloudWatch Logs resource policies belong to the account and region, not to a log group."""
        region = arn.split(":")[3]
        return [
            statement
            for policy in self.deployment.resources("AWS::Logs::ResourcePolicy")
            if policy.stack.region == region
            for statement in self.deployment.policy(policy.stack, policy.properties["PolicyDocument"])
        ]

    def _lambda_permissions(self, arn: str) -> list[Statement]:
        statements: list[Statement] = []
        for permission in self.deployment.resources("AWS::Lambda::Permission"):
            props: dict[str, Any] = self.deployment.resolve(permission.stack, permission.properties)
            if props["FunctionName"] not in (arn, arn.rsplit(":", 1)[-1]):
                continue
            principal = props["Principal"]
            kind = "Service" if principal.endswith(".amazonaws.com") else "AWS"
            condition: dict[str, Any] = {}
            if "SourceArn" in props:
                condition["ArnLike"] = {"aws:SourceArn": props["SourceArn"]}
            if "SourceAccount" in props:
                condition["StringEquals"] = {"aws:SourceAccount": props["SourceAccount"]}
            statements.append({"Effect": "Allow", "Principal": {kind: principal}, "Action": props["Action"],
                               "Resource": arn, "Condition": condition})  # fmt: skip
        return statements

    def _bus_policy(self, arn: str) -> list[Statement]:
        """The bus's policy: its `Policy` and each AWS::Events::EventBusPolicy statement on it. A rule's ARN
        (`rule/<bus>/<name>`) is governed by its bus's policy: it is how another account may put rules there."""
        resource = arn.split(":", 5)[5]
        name = resource.split("/")[1] if resource.startswith("rule/") else resource.removeprefix("event-bus/")
        region = arn.split(":")[3]
        statements: list[Statement] = []
        for bus in self.deployment.resources("AWS::Events::EventBus"):
            if bus.name == name and "Policy" in bus.properties and region == bus.stack.region:
                statements += self.deployment.policy(bus.stack, bus.properties["Policy"])
        for grant in self.deployment.resources("AWS::Events::EventBusPolicy"):
            on = self.deployment.resolve(grant.stack, grant.properties.get("EventBusName"))
            if "Statement" not in grant.properties:
                raise UnknownResource(f"{grant.logical_id}: an EventBusPolicy without a Statement is not evaluated")
            if on == name and region == grant.stack.region:
                statements += self.deployment.policy(grant.stack, {"Statement": grant.properties["Statement"]})
        return statements
