"""The house rules: the core never imports Textual; the UI reaches the core through its API."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "briefing_tui"
CORE = sorted(
    ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    for path in PACKAGE.rglob("*.py")
    if "ui" not in path.relative_to(PACKAGE).parts and path.name != "__main__.py"
)
#: What UI code may import from the core.
UI_MAY_IMPORT = {"briefing_tui.library", "briefing_tui.model", "briefing_tui.text", "briefing_tui.config",
                 "briefing_tui.paths", "briefing_tui.samples", "briefing_tui.session"}


def test_no_core_module_imports_textual():
    script = (
        "import importlib, sys\n"
        f"for name in {CORE!r}:\n"
        "    importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.')))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_ui_code_talks_to_the_core_through_the_library():
    offenders = []
    for path in (PACKAGE / "ui").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("briefing_tui"):
                if not node.module.startswith("briefing_tui.ui") and node.module not in UI_MAY_IMPORT:
                    offenders.append(f"{path.relative_to(PACKAGE)}: {node.module}")
    assert offenders == []
