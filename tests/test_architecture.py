"""The tree's rules that import-linter cannot read (its contracts, in pyproject.toml, run in
`make test`): no module reaches into another's private names."""

import ast
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROJECT = {"dashboard", "containers", "images", "volumes", "networks", "teams", "audit",
           "engines", "swarm", "labs", "recordings", "tests", "bench"}  # fmt: skip


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def private_names_used_across_modules(source: str) -> list[str]:
    """``from x import _name`` and ``module._name`` where x or module is the project's."""
    tree = ast.parse(source)
    modules: set[str] = set()
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in PROJECT:
            found += [f"{node.module}.{a.name}" for a in node.names if _private(a.name)]
            modules |= {a.asname or a.name for a in node.names}
        elif isinstance(node, ast.Import):
            modules |= {a.asname or a.name for a in node.names if a.name.split(".")[0] in PROJECT}
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
            and _private(node.attr)
            and node.attr != "_meta"  # Django's public API on models
        ):
            found.append(f"{node.value.id}.{node.attr}")
    return found


def test_the_check_sees_a_private_import() -> None:
    assert private_names_used_across_modules("from dashboard.policy.seal import _SEAL") == [
        "dashboard.policy.seal._SEAL"
    ]
    assert private_names_used_across_modules(
        "from dashboard.policy import quotas\nquotas._limit(1)"
    ) == ["quotas._limit"]


def test_no_module_imports_another_modules_private_names() -> None:
    files = subprocess.run(
        ["git", "ls-files", "*.py"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    offenders = {
        path: used
        for path in files
        if "/migrations/" not in path
        and (used := private_names_used_across_modules((ROOT / path).read_text()))
    }
    assert offenders == {}
