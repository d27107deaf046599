"""The package's folders are its layers, and imports only point down.

base (model, errors, figures, written) ← rules/ ← ledger/ ← items/ ← cli/, and rules/ ← report/ ← cli/.
A module that imports one above it (scoring taking a formatter from report/, a ledger
module reaching for the CLI) fails here, naming the file and the import.
"""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import REPO

PACKAGE = REPO / "govscore"
BASE = {"model", "errors", "figures", "i18n", "written", "__init__", "__main__"}
# What each layer may import from govscore, besides the base modules and itself.
ALLOWED = {
    "base": set(),
    "rules": set(),
    "ledger": {"rules"},
    "items": {"rules", "ledger"},
    "report": {"rules"},
    "cli": {"rules", "ledger", "items", "report"},
}


def layer_of(module: str) -> str:
    """govscore.rules.scoring → rules; govscore.model → base."""
    parts = module.split(".")
    if len(parts) < 2 or parts[1] in BASE:
        return "base"
    return parts[1]


def module_name(path: Path) -> str:
    relative = path.relative_to(REPO).with_suffix("")
    return ".".join(relative.parts)


def govscore_imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("govscore"):
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found.extend((node.lineno, a.name) for a in node.names if a.name.startswith("govscore"))
    return found


def test_every_module_sits_in_a_known_layer():
    layers = {layer_of(module_name(p)) for p in PACKAGE.rglob("*.py")}
    assert layers == set(ALLOWED), layers


def test_imports_only_point_down():
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        own = layer_of(module_name(path))
        if module_name(path) == "govscore.__main__":
            continue  # `python -m govscore` starts the CLI: the one arrow up, by design
        for line, imported in govscore_imports(path):
            target = layer_of(imported)
            if target not in {"base", own} | ALLOWED[own]:
                wrong.append(f"{path.relative_to(REPO)}:{line}: {own}/ imports {imported}")
    assert wrong == []


def test_the_check_sees_an_upward_import(tmp_path: Path):
    """The rule above is not vacuous: a rules module importing report/ is named."""
    path = tmp_path / "scoring.py"
    path.write_text("from govscore.report.render import figure\n", encoding="utf-8")
    assert govscore_imports(path) == [(1, "govscore.report.render")]
    assert layer_of("govscore.report.render") not in {"base", "rules"} | ALLOWED["rules"]
