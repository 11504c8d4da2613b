"""The benchmark harness: find every ``benchmarks/case_*.py``, run each, print one table.

A case module exposes ``run(workdir: Path, quick: bool) -> list[dict]``; each dict has the keys
``case, label, value, unit, target, ok`` (and optionally ``note``, shown beside the value). A
case may declare ``REQUIRES = ("tmux",)``: the harness makes sure tmux is there (installing it
with apt-get when running as root) or skips the case saying why.

Each case runs in its own fresh temporary folder. A case that raises is reported in one line
and the run goes on; the exit status is non-zero at the end when any case failed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import Any

HERE = Path(__file__).resolve().parent
"""The ``benchmarks/`` folder."""

DEFAULT_OUT = HERE / "results.json"
"""Where results go unless ``--out`` says otherwise."""

ROW_KEYS = ("case", "label", "value", "unit", "target", "ok")
"""The keys every result row carries."""


class PartialFailure(Exception):
    """A case that failed part-way: the harness reports the failure and keeps ``rows``."""

    def __init__(self, reason: str, rows: list[dict[str, Any]]) -> None:
        """Record the reason and the rows measured before the failure."""
        super().__init__(reason)
        self.rows = rows
        """Rows measured before the failure."""


@dataclass
class CaseResult:
    """What one case produced: its rows, or why it failed or was skipped."""

    name: str
    """The case's name ("first_frame" for ``case_first_frame.py``)."""
    rows: list[dict[str, Any]] = field(default_factory=list)
    """The rows it returned (normalised to :data:`ROW_KEYS`)."""
    error: str | None = None
    """One-line reason when the case raised."""
    skipped: str | None = None
    """Why the case did not run, when it was skipped."""
    seconds: float = 0.0
    """Wall time the case took."""


def row(
    case: str,
    label: str,
    value: float | None,
    unit: str,
    target: str | None = None,
    ok: bool | None = None,
    *,
    digits: int = 3,
) -> dict[str, Any]:
    """One result row, ``value`` rounded to ``digits`` places."""
    return {
        "case": case,
        "label": label,
        "value": None if value is None else round(value, digits),
        "unit": unit,
        "target": target,
        "ok": ok,
    }


def ratio_check(value: float, reference: float, limit: float) -> tuple[float, bool]:
    """``value / reference`` and whether it is at most ``limit`` (a zero reference never is)."""
    ratio = value / reference if reference > 0 else float("inf")
    return ratio, ratio <= limit


def summary(rows: Sequence[dict[str, Any]]) -> list[str]:
    """Lines under the table: targets met and missed, then each ratio's range against its peer.

    A row compared with a peer carries ``ratio`` (value over the peer's) and ``ratio_to`` (the
    peer's name, "empty app" or "epy"); only rows with a target count towards a range.
    """
    with_target = [r for r in rows if r.get("target")]
    met = sum(r.get("ok") is True for r in with_target)
    missed = sum(r.get("ok") is False for r in with_target)
    line = f"targets: {met} met, {missed} missed"
    if len(with_target) > met + missed:
        line += f", {len(with_target) - met - missed} not measured"
    lines = [line]
    peers: dict[str, list[dict[str, Any]]] = {}
    for r in with_target:
        if r.get("ratio_to") and isinstance(r.get("ratio"), int | float):
            peers.setdefault(str(r["ratio_to"]), []).append(r)
    for peer, group in peers.items():
        low, high = min(r["ratio"] for r in group), max(r["ratio"] for r in group)
        span = f"{low:.2f}×" if f"{low:.2f}" == f"{high:.2f}" else f"{low:.2f}–{high:.2f}×"
        met_here = sum(r.get("ok") is True for r in group)
        lines.append(
            f"vs {peer}: {span} ({len(group)} row{'s' if len(group) != 1 else ''}, "
            f"target {group[0]['target']}, met by {met_here})"
        )
    return lines


def discover(folder: Path = HERE) -> list[str]:
    """Names of every case in ``folder`` (``case_parse.py`` -> "parse"), sorted."""
    return sorted(p.stem.removeprefix("case_") for p in folder.glob("case_*.py"))


def one_line(exc: BaseException) -> str:
    """An exception as one short line: its type and first line of message."""
    text = " ".join(str(exc).split())
    if len(text) > 200:
        text = text[:197] + "..."
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _normalise(name: str, row: Any) -> dict[str, Any]:
    """A returned row with every key present (missing ones None), the case name filled in."""
    if not isinstance(row, dict):
        raise TypeError(f"case {name} returned a {type(row).__name__}, not a dict")
    out = {key: row.get(key) for key in ROW_KEYS}
    out["case"] = out["case"] or name
    out.update({k: v for k, v in row.items() if k not in ROW_KEYS})
    return out


def run_case(
    name: str,
    quick: bool,
    *,
    package: str = "benchmarks",
    available: Callable[[str], bool] = lambda tool: shutil.which(tool) is not None,
) -> CaseResult:
    """Import ``<package>.case_<name>`` and run it in a fresh temp folder; never raises."""
    result = CaseResult(name)
    start = time.perf_counter()
    try:
        module: ModuleType = importlib.import_module(f"{package}.case_{name}")
        missing = [t for t in getattr(module, "REQUIRES", ()) if not available(t)]
        if missing:
            result.skipped = f"{', '.join(missing)} missing: apt-get install {' '.join(missing)}"
            return result
        # (a reader killed at the end of a case may still be saving into its data dir while
        # the folder is removed: what it leaves behind is not the case's failure)
        with tempfile.TemporaryDirectory(
            prefix=f"tui-bench-{name}-", ignore_cleanup_errors=True
        ) as tmp:
            rows = module.run(Path(tmp), quick)
        result.rows = [_normalise(name, row) for row in rows]
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # a failing case must not take the run down
        result.error = one_line(exc)
        if isinstance(exc, PartialFailure):
            result.error = " ".join(str(exc).split())
            result.rows = [_normalise(name, row) for row in exc.rows]
    finally:
        result.seconds = time.perf_counter() - start
    return result


def ensure_tool(tool: str, log: Callable[[str], None]) -> bool:
    """True when ``tool`` is on PATH, installing it with apt-get first when we are root."""
    if shutil.which(tool):
        return True
    apt = shutil.which("apt-get")
    if apt and hasattr(os, "geteuid") and os.geteuid() == 0:
        log(f"{tool} missing: installing it (apt-get install -y {tool})")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for cmd in ([apt, "install", "-y", "-qq", tool], [apt, "update", "-qq"]):
            subprocess.run(cmd, env=env, check=False, capture_output=True)
            if shutil.which(tool):
                return True
        subprocess.run([apt, "install", "-y", "-qq", tool], env=env, check=False)
        if shutil.which(tool):
            return True
    log(f"{tool} missing: apt-get install {tool}")
    return False


def _cpu_model() -> str:
    """The CPU's model name."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_mb() -> int | None:
    """Total memory in MB."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) // 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def _version(package: str) -> str | None:
    """An installed package's version."""
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _command(cmd: Sequence[str]) -> str | None:
    """The first line a command prints, or None when it cannot run."""
    try:
        done = subprocess.run(
            list(cmd), capture_output=True, text=True, timeout=10, check=False, cwd=HERE
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    line = done.stdout.strip().splitlines()
    return line[0] if done.returncode == 0 and line else None


def machine_info() -> dict[str, Any]:
    """The machine the run happened on: CPU, cores, memory, OS, Python, Textual, tmux, commit.

    The commit ends in ``-dirty`` when the working tree had uncommitted changes.
    """
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_mb": _memory_mb(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "textual": _version("textual"),
        "rich": _version("rich"),
        "tmux": _command(["tmux", "-V"]),
        "commit": _command(["git", "describe", "--always", "--dirty"]),
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def format_value(value: Any, unit: Any) -> str:
    """A value with its unit, rounded sensibly."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        if value is None:
            return "—"
        text = str(value)
    elif isinstance(value, int) or abs(value) >= 100:
        text = f"{value:,.0f}"
    elif abs(value) >= 10:
        text = f"{value:.1f}"
    else:
        text = f"{value:.2f}"
    return f"{text} {unit}".strip() if unit else text


def verdict(ok: Any) -> str:
    """ "ok", "MISSED" or blank (no target)."""
    if ok is None:
        return ""
    return "ok" if ok else "MISSED"


def table(results: Sequence[CaseResult]) -> str:
    """The results as one plain-text table."""
    header = ("case", "label", "value", "target", "result")
    lines: list[tuple[str, ...]] = []
    for res in results:
        for row in res.rows:
            value = format_value(row["value"], row["unit"])
            if row.get("note"):
                value += f" ({row['note']})"
            lines.append(
                (
                    str(row["case"]),
                    str(row["label"]),
                    value,
                    row["target"] or "",
                    verdict(row["ok"]),
                )
            )
        if res.error is not None:
            reason = res.error if len(res.error) <= 90 else res.error[:87] + "..."
            lines.append((res.name, "(case failed)", "—", "", f"FAILED: {reason}"))
        elif res.skipped is not None:
            lines.append((res.name, "(case skipped)", "—", "", f"skipped: {res.skipped}"))
        elif not res.rows:
            lines.append((res.name, "(no rows)", "—", "", ""))
    widths = [max(len(r[i]) for r in [header, *lines]) for i in range(len(header))]
    out = [
        "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
        for r in [header, tuple("-" * w for w in widths), *lines]
    ]
    return "\n".join(out)


def write_results(
    path: Path, results: Sequence[CaseResult], machine: dict[str, Any], quick: bool
) -> None:
    """Write the run to ``path`` as JSON: machine, every row, failures, skips and durations."""
    doc = {
        "date": machine.get("date"),
        "quick": quick,
        "machine": machine,
        "results": [row for res in results for row in res.rows],
        "failed": {r.name: r.error for r in results if r.error is not None},
        "skipped": {r.name: r.skipped for r in results if r.skipped is not None},
        "seconds": {r.name: round(r.seconds, 2) for r in results},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def build_parser() -> argparse.ArgumentParser:
    """``python -m benchmarks [--quick] [--only NAME ...] [--out FILE]``."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description="Run the tui-reader benchmark suite."
    )
    parser.add_argument("--quick", action="store_true", help="a reduced run, under a minute")
    parser.add_argument(
        "--only", nargs="+", action="extend", metavar="NAME", help="run only these cases"
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to write results")
    parser.add_argument("--list", action="store_true", help="list the cases and stop")
    return parser


def main(
    argv: Sequence[str] | None = None,
    *,
    folder: Path = HERE,
    package: str = "benchmarks",
) -> int:
    """Run the suite; returns the exit status (1 when any case failed)."""
    args = build_parser().parse_args(argv)
    names = discover(folder)
    if args.list:
        print("\n".join(names))
        return 0
    if args.only:
        wanted = [n.removeprefix("case_").removesuffix(".py") for n in args.only]
        unknown = [n for n in wanted if n not in names]
        if unknown:
            print(f"error: no such case: {', '.join(unknown)} (cases: {', '.join(names)})")
            return 2
        names = [n for n in names if n in wanted]

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    checked: dict[str, bool] = {}

    def available(tool: str) -> bool:
        if tool not in checked:
            checked[tool] = ensure_tool(tool, log)
        return checked[tool]

    machine = machine_info()
    results: list[CaseResult] = []
    start = time.perf_counter()
    for name in names:
        log(f"running {name}{' (quick)' if args.quick else ''} ...")
        res = run_case(name, args.quick, package=package, available=available)
        if res.error is not None:
            log(f"case {name} failed: {res.error}")
        elif res.skipped is not None:
            log(f"case {name} skipped: {res.skipped}")
        else:
            log(f"  {name}: {len(res.rows)} rows in {res.seconds:.1f} s")
        results.append(res)
    machine["tmux"] = machine["tmux"] or _command(["tmux", "-V"])
    print(table(results))
    print("\n" + "\n".join(summary([r for res in results for r in res.rows])))
    total = time.perf_counter() - start
    print(
        f"\n{len(results)} cases in {total:.1f} s on {machine['cpu']} "
        f"({machine['cores']} cores), Python {machine['python']}, Textual {machine['textual']}"
    )
    write_results(args.out, results, machine, args.quick)
    print(f"results written to {args.out}")
    failed = [r.name for r in results if r.error is not None]
    if failed:
        print(f"failed: {', '.join(failed)}")
        return 1
    return 0
