"""The code's shape, beside the import contracts in .importlinter (which `make lint` checks):
no app reaches into another app's private names, and the contracts are really checked."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "homeward"


def private_reaches(package: Path = PACKAGE) -> list[str]:
    """Every `from homeward.<other app>… import _name` (or of a `_module`) in the code."""

    def app(path: Path) -> str:
        parts = path.relative_to(package).parts
        return parts[0] if len(parts) > 1 else "(site)"

    found = []
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom) or not (node.module or "").startswith(
                "homeward."
            ):
                continue
            other = node.module.split(".")[1]
            if other == app(path):
                continue
            names = [a.name for a in node.names if a.name.startswith("_")]
            modules = [p for p in node.module.split(".")[2:] if p.startswith("_")]
            for name in names + modules:
                found.append(f"{path.relative_to(package)}:{node.lineno}: {node.module} {name}")
    return found


def test_no_app_imports_another_apps_private_names():
    assert private_reaches() == []


def test_the_check_sees_a_private_reach(tmp_path):
    """The scan itself can fail: a module that reaches into another app is found, one that
    uses its own app's private names is not."""
    package = tmp_path / "homeward"
    (package / "portal").mkdir(parents=True)
    (package / "cases").mkdir()
    (package / "portal" / "views.py").write_text("from homeward.cases.hwx import _helper\n")
    (package / "cases" / "views.py").write_text("from homeward.cases.hwx import _helper\n")
    assert private_reaches(package) == ["portal/views.py:1: homeward.cases.hwx _helper"]


def test_the_import_contracts_hold():
    done = subprocess.run(
        [
            str(Path(sys.executable).with_name("lint-imports")),
            "--no-cache",
            "--config",
            str(ROOT / ".importlinter"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:]
    assert "0 broken" in done.stdout
