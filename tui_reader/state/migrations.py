"""Reader-file schema: its version, the upgrade steps from older versions, and shape checks.

Story ids changed in issue 15 (identity by source: ``ao3:work:123`` instead of a hash of the
format, title and author) without a schema step: the file's shape is the same (an id is an
opaque string), and which old id becomes which new one is known only from the story files.
Records under old ids are adopted lazily instead — ``StateStore.adopt_ids`` moves them when the
library is scanned or a story file is opened — and a file holding both kinds stays readable by
this and older versions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tui_reader.state.records import RawData, StateFileError, _free_id

SCHEMA_VERSION = 1
"""The shape of the reader file this code writes (stored in the ``meta`` table)."""


class NewerSchemaError(Exception):
    """The reader file was written by a newer tui-reader (schema version above ours)."""


# --------------------------------------------------------------------------------------------
# Schema migrations


def _migrate_0_to_1(data: RawData) -> RawData:
    """Version 0 (before the ``meta`` table): ``positions`` records ``{story, chapter, paragraph}``
    and ``acks`` records ``{story}``, both with sequential ids. Version 1 keys every record by a
    hash of its story id and names the tables as they are now."""
    out: RawData = {}
    for old in data.get("positions", {}).values():
        story = str(old.get("story", ""))
        if story:
            rec = {
                "story_id": story,
                "chapter": int(old.get("chapter", 0)),
                "paragraph": int(old.get("paragraph", 0)),
                "offset": 0,
                "when": float(old.get("when", 0.0)),
            }
            out.setdefault("progress", {})[str(_free_id(out.get("progress", {}), story))] = rec
    for old in data.get("acks", {}).values():
        story = str(old.get("story", ""))
        if story:
            rec = {"story_id": story, "acknowledged": True, "gates": [], "stopped_at": None}
            table = out.setdefault("acknowledgements", {})
            table[str(_free_id(table, story))] = rec
    for name, table in data.items():
        if name not in ("positions", "acks", "meta"):
            out[name] = table
    return out


MIGRATIONS: list[Callable[[RawData], RawData]] = [_migrate_0_to_1]
"""``MIGRATIONS[v]`` turns a version ``v`` file into version ``v + 1``."""


def _check_shape(data: Any) -> RawData:
    """``data`` as reader state, or StateFileError naming what is wrong."""
    if not isinstance(data, dict):
        raise StateFileError(f"not a JSON object but {type(data).__name__}")
    for name, table in data.items():
        if not isinstance(table, dict):
            raise StateFileError(f"table {name!r} is not an object")
        for doc_id, doc in table.items():
            if not doc_id.isdigit() or not isinstance(doc, dict):
                raise StateFileError(f"table {name!r} holds a malformed record {doc_id!r}")
    return data


def _schema_version(data: RawData) -> int:
    """The schema version recorded in the ``meta`` table (0 when there is none)."""
    meta = data.get("meta", {}).get("1", {})
    version = meta.get("schema_version", 0)
    if not isinstance(version, int) or version < 0:
        raise StateFileError(f"bad schema version {version!r}")
    return version
