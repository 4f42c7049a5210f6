"""The layout rules of docs/design.md that a reviewer would otherwise check by hand."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.support.synth import PROJECT_ROOT

CDK_MAY_IMPORT = {"lambdas.shared.entities", "lambdas.shared.table_keys", "lambdas.shared.event_store_keys",
                  "lambdas.shared.orders", "lambdas.shared.metric_names", "lambdas.shared.versions",
                  "lambdas.cache_sync.view"}  # fmt: skip
OUTSIDE = "../" + "shared"  # spelled in two parts so that this file does not match itself
PROJECT_FILES = [
    path
    for pattern in ("*.py", "*.md", "Makefile", "*.json", "*.toml", "*.txt")
    for path in PROJECT_ROOT.rglob(pattern)
    if not ({".venv", "node_modules", "cdk.out", ".local", ".git", "__snapshots__"} & set(path.parts))
]


def test_the_cdk_app_imports_only_stdlib_modules_of_the_lambda_code() -> None:
    imported = {
        module
        for path in [*(PROJECT_ROOT / "stacks").rglob("*.py"), PROJECT_ROOT / "app.py"]
        for module in re.findall(r"^from (lambdas[\w.]*) import", path.read_text(), re.MULTILINE)
    }
    assert imported <= CDK_MAY_IMPORT


def test_every_handler_package_has_a_thin_handler_and_one_cached_setup() -> None:
    for package in (PROJECT_ROOT / "lambdas").iterdir():
        handler = package / "handler.py"
        if package.name == "shared" or not handler.exists():
            continue
        text = handler.read_text()
        assert len(text.splitlines()) <= 60, f"{handler} should stay thin"
        assert "_dependencies()" in text or "boto3" not in text, f"{handler}: clients are built in _dependencies()"


def test_nothing_refers_outside_the_repository() -> None:
    outside = [str(path.relative_to(PROJECT_ROOT)) for path in PROJECT_FILES if OUTSIDE in path.read_text()]
    assert outside == []


def test_operator_commands_start_without_the_cdk() -> None:
    """aws_cdk starts a Node process (and its end-of-life banner) on import: an operator's command must not wait for
    it or print it."""
    modules = ("ops.dlq.cli", "ops.event_store.cli", "ops.failover.cli", "ops.preflight", "ops.smoke.__main__")
    loaded = "sorted({m.split('.')[0] for m in sys.modules} & {'aws_cdk', 'jsii'})"
    probe = f"import sys, {', '.join(modules)}; print({loaded})"
    result = subprocess.run([sys.executable, "-c", probe], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
    assert result.stderr == ""


def test_the_readmes_layout_names_every_module_and_package() -> None:
    """Derived from the tree: a new module that the README's Layout does not name fails here."""
    readme = (PROJECT_ROOT / "README.md").read_text()
    layout = readme[readme.index("## Layout") :]
    packages = (
        "stacks",
        "lambdas",
        "event_contract",
        "rendering",
        "ops",
        "devtools",
        "local_cloud",
        "benchmarks",
        "orders_cli",
    )
    missing = [
        str(path.relative_to(PROJECT_ROOT))
        for package in packages
        for path in (PROJECT_ROOT / package).rglob("*.py")
        if path.stem not in ("__init__", "__main__") and "__pycache__" not in path.parts
        and f"`{path.name}`" not in layout and f"`{path.stem}`" not in layout
    ] + [
        f"{path.relative_to(PROJECT_ROOT)}/"
        for package in packages
        for path in (PROJECT_ROOT / package).iterdir()
        if path.is_dir() and (path / "__init__.py").exists() and path.name not in layout
    ]  # fmt: skip
    assert missing == []
