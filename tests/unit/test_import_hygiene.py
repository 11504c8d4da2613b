"""Import hygiene: the project's own modules are imported at the top of a module, never inside a
function (a hidden dependency and an import cycle waiting to happen). Commands that must not load
Textual are loaded through entry points (``cli._COMMANDS``), not function-local imports."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "tui_reader"


def _type_checking_block(node: ast.AST) -> bool:
    """True for ``if TYPE_CHECKING:`` (imports there never run)."""
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def _nested_project_imports(tree: ast.Module) -> list[int]:
    """Line numbers of imports of ``tui_reader`` that are not at module level."""
    lines: list[int] = []

    def visit(node: ast.AST, top: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if _type_checking_block(child):
                continue
            if isinstance(child, ast.Import | ast.ImportFrom) and not top:
                if isinstance(child, ast.Import):
                    modules = [alias.name for alias in child.names]
                else:
                    modules = [child.module or ""]
                if any(m.startswith("tui_reader") for m in modules):
                    lines.append(child.lineno)
            nested = isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
            visit(child, top and not nested)

    visit(tree, True)
    return lines


def test_no_function_local_imports_of_the_project() -> None:
    found = {
        str(path.relative_to(PACKAGE.parent)): lines
        for path in sorted(PACKAGE.rglob("*.py"))
        if (lines := _nested_project_imports(ast.parse(path.read_text(encoding="utf-8"))))
    }
    assert found == {}


def test_the_check_sees_a_function_local_import() -> None:
    source = (
        "import os\n\ndef f():\n    import sys\n    from tui_reader.model import Story\n"
        "    import tui_reader.text\n    return Story\n"
    )
    assert _nested_project_imports(ast.parse(source)) == [5, 6]
    guarded = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import tui_reader.model\n"
    assert _nested_project_imports(ast.parse(guarded)) == []
