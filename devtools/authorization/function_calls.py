"""The calls each Lambda function makes, as its role: its logs, its traces, its event source, and every AWS SDK call
its code makes, found by reading the code.

A function's package is named by its handler (`lambdas.<package>.handler.handler`). In each module of the package
and each `lambdas.shared` module it imports, a class that keeps `boto3.client("<service>")` in an attribute has its
calls on that attribute collected (`self._client.put_item(...)` -> `dynamodb:PutItem`, the operation's name in
botocore's service model). The resource is what the function's environment names: a table by name, a queue by URL.
A service with no such variable, or a client kept some other way, raises `UnknownResource`: a call that was not
found cannot be checked.

A Secrets Manager secret is named by a variable ending in `_SECRET_NAME` (the secret is made outside the app; its ARN
ends in a hyphen and six random characters, which the evaluator fills in). A DynamoDB call that passes a
`ProjectionExpression` is evaluated with the request context DynamoDB sends for it: a module of its package declares
`PROJECTED_ATTRIBUTES` (`dynamodb:Attributes`) and `PARTITION_KEY_PREFIX` (`dynamodb:LeadingKeys`); a projected call
without them raises `UnknownResource`
(https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html).
"""

from __future__ import annotations

import ast
import functools
import importlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from botocore import xform_name
from botocore.session import get_session

from devtools.authorization.calls import Call, role, service
from devtools.authorization.deployment import Deployment, Located, UnknownResource
from devtools.authorization.service_calls import source_reads, write_logs

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SUPPORTED_SERVICES = ("dynamodb", "secretsmanager", "sqs", "stepfunctions")
SECRET_NAME_SUFFIX = "_SECRET_NAME"
SECRET_ARN_SUFFIX = "-AbCdEf"  # what Secrets Manager appends to a secret's name in its ARN
IAM_PREFIX = {"stepfunctions": "states"}  # an SDK service whose IAM actions have another prefix
INDEX_OPERATIONS = ("Query", "Scan")  # on an index the environment names, the request is for the index's ARN


@functools.cache
def _operations(service_name: str) -> dict[str, str]:
    """snake_case method -> API operation name, from botocore's model (the IAM action has the operation's name)."""
    model = get_session().get_service_model(service_name)
    return {xform_name(name): name for name in model.operation_names}


def _package_modules(package: str) -> list[Path]:
    directory = PROJECT_ROOT / "lambdas" / package
    modules = sorted(directory.glob("*.py"))
    shared = set()
    for module in modules:
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("lambdas.shared."):
                shared.add(PROJECT_ROOT / (node.module.replace(".", "/") + ".py"))
    return [*modules, *sorted(shared)]


def _client_attributes(cls: ast.ClassDef) -> dict[str, str]:
    """`self.<attribute> = ... boto3.client("<service>") ...` -> {attribute: service}."""
    found = {}
    for node in ast.walk(cls):
        if not isinstance(node, ast.Assign):
            continue
        for call in ast.walk(node.value):
            if (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "client"
                    and isinstance(call.func.value, ast.Name) and call.func.value.id == "boto3"):  # fmt: skip
                service_name = ast.literal_eval(call.args[0])
                for target in node.targets:
                    if isinstance(target, ast.Attribute):
                        found[target.attr] = service_name
    return found


SdkCall = tuple[str, str, tuple[tuple[str, tuple[str, ...]], ...]]  # service, operation, request context


@functools.cache
def sdk_calls(package: str) -> frozenset[SdkCall]:
    """(service, operation, request context) for every SDK call of the function package's code."""
    calls = set()
    for module in _package_modules(package):
        text = module.read_text()
        tree = ast.parse(text)
        if "boto3" in text and not any(isinstance(n, ast.ClassDef) for n in ast.walk(tree)):
            raise UnknownResource(f"{module}: boto3 used outside a class that keeps its client")
        for cls in (n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)):
            clients = _client_attributes(cls)
            for node in ast.walk(cls):
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                        and isinstance(node.func.value, ast.Attribute)
                        and node.func.value.attr in clients):  # fmt: skip
                    service_name = clients[node.func.value.attr]
                    operation = _operations(service_name).get(node.func.attr)
                    if operation is None:
                        raise UnknownResource(f"{module}: {service_name} has no operation {node.func.attr}")
                    projected = any(k.arg == "ProjectionExpression" for k in node.keywords)
                    calls.add((service_name, operation, _projection_context(package) if projected else ()))
    return frozenset(calls)


def _projection_context(package: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    declared: dict[str, Any] = {}
    for module in sorted((PROJECT_ROOT / "lambdas" / package).glob("*.py")):
        loaded = vars(importlib.import_module(f"lambdas.{package}.{module.stem}"))
        declared |= {name: loaded[name] for name in ("PROJECTED_ATTRIBUTES", "PARTITION_KEY_PREFIX") if name in loaded}
    attributes, prefix = declared.get("PROJECTED_ATTRIBUTES"), declared.get("PARTITION_KEY_PREFIX")
    if not attributes or not prefix:
        raise UnknownResource(
            f"lambdas/{package}: a projected read without PROJECTED_ATTRIBUTES and PARTITION_KEY_PREFIX"
        )
    return (("dynamodb:Attributes", tuple(attributes)), ("dynamodb:LeadingKeys", (f"{prefix}evaluated",)))


def _beyond_projection(
    path: str, arn: str, role_arn: str, action: str, documented: dict[str, list[str]]
) -> Iterator[Call]:
    """Probes of a projected read, which must be denied: the whole item (no attributes named), one attribute more
    than the projection (the order's customer snapshot, personal data), and another entity's item."""
    if "dynamodb:Attributes" not in documented:
        return
    whole = {k: v for k, v in documented.items() if k != "dynamodb:Attributes"}
    more = {**documented, "dynamodb:Attributes": [*documented["dynamodb:Attributes"], "customer"]}
    other = {**documented, "dynamodb:LeadingKeys": ["CUSTOMER#evaluated"]}
    for probe, context in (("the whole item", whole), ("one attribute more", more), ("another entity", other)):
        yield Call(f"function -> SDK call beyond its projection ({probe})", path, arn, role(role_arn), action, arn,
                   documented=context, expect_allowed=False)  # fmt: skip


def _environment_resources(deployment: Deployment, function: Located, service_name: str, operation: str) -> list[str]:
    """ARNs of the resources of `service_name` the function's environment names; for a Query or Scan, the indexes it
    names of those tables, if it names any."""
    values = deployment.resolve(function.stack, function.properties.get("Environment", {}).get("Variables", {}))
    region, account = function.stack.region, function.stack.account
    named = [str(value) for value in values.values()]
    arns = []
    for variable, value in values.items():
        if service_name == "secretsmanager" and variable.endswith(SECRET_NAME_SUFFIX):
            arns.append(f"arn:aws:secretsmanager:{region}:{account}:secret:{value}{SECRET_ARN_SUFFIX}")
    for value in named:
        if service_name == "sqs" and value.startswith(f"https://sqs.{region}.amazonaws.com/{account}/"):
            arns.append(f"arn:aws:sqs:{region}:{account}:{value.rsplit('/', 1)[1]}")
        if service_name == "stepfunctions" and value.startswith(f"arn:aws:states:{region}:{account}:stateMachine:"):
            arns.append(value)
        if service_name == "dynamodb" and _is_table(deployment, value):
            table = f"arn:aws:dynamodb:{region}:{account}:table/{value}"
            indexes = [f"{table}/index/{i}" for i in _indexes(deployment, value) if i in named]
            arns += indexes if operation in INDEX_OPERATIONS and indexes else [table]
    return arns


def _indexes(deployment: Deployment, table_name: str) -> list[str]:
    return [
        str(index["IndexName"])
        for table in deployment.resources("AWS::DynamoDB::GlobalTable", "AWS::DynamoDB::Table")
        if table.name == table_name
        for index in table.properties.get("GlobalSecondaryIndexes", [])
    ]


def _is_table(deployment: Deployment, name: str) -> bool:
    return any(
        table.name == name for table in deployment.resources("AWS::DynamoDB::GlobalTable", "AWS::DynamoDB::Table")
    )


def _package(function: Located) -> str | None:
    handler = str(function.properties.get("Handler", ""))
    parts = handler.split(".")
    return parts[1] if parts[0] == "lambdas" and len(parts) >= 3 else None


def function_calls(deployment: Deployment) -> Iterator[Call]:
    for function in deployment.resources("AWS::Lambda::Function"):
        props = deployment.resolve(function.stack, function.properties)
        role_arn = props["Role"]
        yield Call("function -> role", function.path, role_arn, service("lambda.amazonaws.com"), "sts:AssumeRole",
                   role_arn)  # fmt: skip
        group = props.get("LoggingConfig", {}).get("LogGroup") or f"/aws/lambda/{function.name}"
        group_arn = f"arn:aws:logs:{function.stack.region}:{function.stack.account}:log-group:{group}"
        yield from write_logs("function -> logs", function.path, role_arn, group_arn)
        if props.get("TracingConfig", {}).get("Mode") == "Active":
            for action in ("xray:PutTraceSegments", "xray:PutTelemetryRecords"):
                yield Call("function -> tracing", function.path, "*", role(role_arn), action, "*")
        package = _package(function)
        for service_name, operation, context in sorted(sdk_calls(package)) if package else []:
            if service_name not in SUPPORTED_SERVICES:
                raise UnknownResource(f"{function.path}: calls {service_name}, which is not evaluated")
            resources = _environment_resources(deployment, function, service_name, operation)
            if not resources:
                raise UnknownResource(
                    f"{function.path}: calls {service_name}:{operation}, no variable names a resource"
                )
            for arn in resources:
                action = f"{IAM_PREFIX.get(service_name, service_name)}:{operation}"
                documented = {key: list(values) for key, values in context}
                yield Call("function -> SDK call", function.path, arn, role(role_arn), action, arn,
                           documented=documented)  # fmt: skip
                yield from _beyond_projection(function.path, arn, role_arn, action, documented)
    yield from _event_source_calls(deployment)
    yield from _custom_resource_calls(deployment)


def _referenced(deployment: Deployment, at: Located, key: str) -> Located:
    """The resource a property refers to. By logical id where it can: a function's name (what Ref gives) is the
    same in both regions' copies of a stack, its ARN is not."""
    node = at.properties[key]
    if isinstance(node, dict) and ("Ref" in node or "Fn::GetAtt" in node):
        logical_id = node["Ref"] if "Ref" in node else node["Fn::GetAtt"][0]
        return deployment.located(at.stack, logical_id)
    found = deployment.find_arn(str(deployment.resolve(at.stack, node)))
    if found is None:
        raise UnknownResource(f"{at.path}: {key} {node} is not in the app")
    return found


def _event_source_calls(deployment: Deployment) -> Iterator[Call]:
    """Lambda polls a queue or stream for the function, with the function's role."""
    for mapping in deployment.resources("AWS::Lambda::EventSourceMapping"):
        props = deployment.resolve(mapping.stack, mapping.properties)
        function = _referenced(deployment, mapping, "FunctionName")
        role_arn = deployment.resolve(function.stack, function.properties["Role"])
        for action in source_reads(props["EventSourceArn"]):
            yield Call("event source -> function", mapping.path, props["EventSourceArn"], role(role_arn), action,
                       props["EventSourceArn"])  # fmt: skip


def _custom_resource_calls(deployment: Deployment) -> Iterator[Call]:
    """An AwsCustomResource's SDK call, made by its provider function's role."""
    for custom in deployment.resources("Custom::AWS"):
        props = deployment.resolve(custom.stack, custom.properties)
        provider = _referenced(deployment, custom, "ServiceToken")
        role_arn = deployment.resolve(provider.stack, provider.properties["Role"])
        for phase in ("Create", "Update", "Delete"):
            if phase not in props:
                continue
            call = json.loads(props[phase])
            if call["service"] != "DynamoDB" or "TableName" not in call.get("parameters", {}):
                raise UnknownResource(f"{custom.path}: custom resource call {call['service']}.{call['action']}")
            table = call["parameters"]["TableName"]
            arn = f"arn:aws:dynamodb:{custom.stack.region}:{custom.stack.account}:table/{table}"
            action = f"dynamodb:{call['action'][0].upper()}{call['action'][1:]}"
            yield Call("custom resource -> SDK call", custom.path, arn, role(role_arn), action, arn)
