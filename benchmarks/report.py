"""Turn a ``results.json`` into the Markdown table ``docs/benchmarks.md`` shows.

``python -m benchmarks.report [benchmarks/results.json]`` prints the machine line and the table.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from benchmarks.harness import DEFAULT_OUT, format_value, summary, verdict


def machine_line(machine: dict[str, Any]) -> str:
    """One sentence naming the machine, its software and the date."""
    memory = machine.get("memory_mb")
    mem = f", {memory / 1024:.0f} GB RAM" if isinstance(memory, int) else ""
    return (
        f"{machine.get('cpu')} ({machine.get('cores')} cores{mem}), {machine.get('os')}, "
        f"Python {machine.get('python')}, Textual {machine.get('textual')}, "
        f"{machine.get('tmux') or 'no tmux'}, commit {machine.get('commit')}, {machine.get('date')}"
    )


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("|", "\\|")


def markdown(doc: dict[str, Any]) -> str:
    """The results as a Markdown table, failures and skips as rows of their own."""
    out = [
        f"Machine: {machine_line(doc.get('machine', {}))}"
        + (" — quick run" if doc.get("quick") else ""),
        "",
        "| case | measure | value | target | result |",
        "|---|---|---|---|---|",
    ]
    for row in doc.get("results", []):
        value = format_value(row.get("value"), row.get("unit"))
        if row.get("note"):
            value += f" ({row['note']})"
        result = verdict(row.get("ok"))
        cells = [row.get("case") or "", row.get("label") or "", value, row.get("target") or ""]
        out.append(
            "| "
            + " | ".join(_cell(str(c)) for c in cells)
            + f" | {'**MISSED**' if result == 'MISSED' else result} |"
        )
    for name, reason in doc.get("failed", {}).items():
        out.append(f"| {name} | (case failed) | — | | FAILED: {_cell(str(reason))} |")
    for name, reason in doc.get("skipped", {}).items():
        out.append(f"| {name} | (case skipped) | — | | skipped: {_cell(str(reason))} |")
    out += ["", *(f"- {line}" for line in summary(doc.get("results", [])))]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    """Print the Markdown table for a results file."""
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0]) if args else DEFAULT_OUT
    print(markdown(json.loads(path.read_text(encoding="utf-8"))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
