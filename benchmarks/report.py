"""Turn a ``results.json`` into the Markdown table ``docs/benchmarks.md`` shows.

``python -m benchmarks.report [benchmarks/results.json ...]`` prints the machine line and the
table. Several results files (say a full ``--only first_frame reopen`` run and a ``--quick`` run
of the rest) are merged into one table: the machine line is the first file's, and the rows of a
quick run say "(quick)" after their label.
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


def merge(docs: list[dict[str, Any]]) -> dict[str, Any]:
    """Several runs as one: the first run's machine, every row (a quick run's marked so)."""
    if len(docs) == 1:
        return docs[0]
    results: list[dict[str, Any]] = []
    failed: dict[str, Any] = {}
    skipped: dict[str, Any] = {}
    for doc in docs:
        for row in doc.get("results", []):
            quick = doc.get("quick") and not str(row.get("label")).endswith("(quick)")
            results.append(row | {"label": f"{row.get('label')} (quick)"} if quick else row)
        failed |= doc.get("failed", {})
        skipped |= doc.get("skipped", {})
    return {
        "machine": docs[0].get("machine", {}),
        "quick": all(doc.get("quick") for doc in docs),
        "results": results,
        "failed": failed,
        "skipped": skipped,
    }


def main(argv: list[str] | None = None) -> int:
    """Print the Markdown table for one results file, or for several merged."""
    args = sys.argv[1:] if argv is None else argv
    paths = [Path(a) for a in args] or [DEFAULT_OUT]
    docs = [json.loads(path.read_text(encoding="utf-8")) for path in paths]
    print(markdown(merge(docs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
