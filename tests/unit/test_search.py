"""Full-text search: the FTS5 index, incremental updates, queries and the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tui_reader.library import Library
from tui_reader.paths import has_stories
from tui_reader.search import MARK_END, MARK_START, SearchIndex, build_query, other_files
from tui_reader.state import StateStore


def write_story(
    folder: Path, name: str, title: str, chapters: list[list[str]], **meta: str
) -> Path:
    """Write a native-format story with the given chapters of paragraphs."""
    front = [f'title = "{title}"', 'author = "Test Author"']
    front += [f"{k} = {v}" for k, v in meta.items()]
    body = []
    for i, paragraphs in enumerate(chapters, start=1):
        body.append(f"# Part {i}\n")
        body.extend(p + "\n" for p in paragraphs)
    path = folder / name
    path.write_text("+++\n" + "\n".join(front) + "\n+++\n\n" + "\n".join(body), encoding="utf-8")
    return path


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """A small library of original stories."""
    lib = tmp_path / "lib"
    lib.mkdir()
    write_story(
        lib,
        "lanterns.md",
        "Lanterns Over the Weir",
        [
            ["The ferryman counted copper coins by lamplight.", "Rain drummed on the boathouse."],
            [
                "Nobody had seen the heron since the flood.",
                "She folded the map twice and hid it beneath the lantern glass.",
            ],
        ],
    )
    write_story(
        lib,
        "orchard.md",
        "The Quiet Orchard",
        [["Apples fell like slow clocks in the orchard.", "The heron watched the ferryman."]],
    )
    (lib / "broken.epub").write_bytes(b"PK\x03\x04 not really a zip")
    return lib


def test_build_query_is_safe_and_keeps_phrases_and_prefixes() -> None:
    assert build_query('heron "map twice" lant*') == '"heron" "map twice" "lant"*'
    assert build_query('AND OR NOT ( ) " -') is not None  # operators become plain words
    assert build_query("   ") is None
    assert build_query("...") is None


def test_search_ranks_and_locates_paragraphs(library: Path, data_dir: Path) -> None:
    index = SearchIndex(library, data_dir)
    assert index.update() == 3
    hits = index.search("map twice")
    assert len(hits) == 1
    hit = hits[0]
    assert hit.title == "Lanterns Over the Weir"
    assert (hit.chapter, hit.paragraph) == (1, 1)
    assert hit.chapter_title == "Chapter 2: Part 2"
    assert MARK_START + "map" + MARK_END in hit.snippet
    assert [hit.plain_snippet()[s:e] for s, e in hit.highlights()] == ["map", "twice"]


def test_phrase_and_prefix_queries(library: Path, data_dir: Path) -> None:
    index = SearchIndex(library, data_dir)
    index.update()
    assert [h.title for h in index.search('"heron watched"')] == ["The Quiet Orchard"]
    assert index.search('"watched heron"') == []
    titles = {h.title for h in index.search("lamp*")}
    assert titles == {"Lanterns Over the Weir"}
    assert {h.title for h in index.search("heron")} == {
        "Lanterns Over the Weir",
        "The Quiet Orchard",
    }


def test_update_is_incremental_and_follows_changes(library: Path, data_dir: Path) -> None:
    index = SearchIndex(library, data_dir)
    index.update()
    assert index.update() == 0
    write_story(library, "orchard.md", "The Quiet Orchard", [["A kingfisher arrived at dusk."]])
    assert index.update() == 1
    assert index.search("apples") == []
    assert [h.title for h in index.search("kingfisher")] == ["The Quiet Orchard"]
    (library / "lanterns.md").unlink()
    index.update()
    assert index.search("ferryman") == []


def test_broken_files_are_remembered_not_fatal(library: Path, data_dir: Path) -> None:
    index = SearchIndex(library, data_dir)
    index.update()
    failures = index.failures()
    assert [Path(p).name for p, _ in failures] == ["broken.epub"]


def test_hidden_warnings_leave_stories_out(tmp_path: Path, data_dir: Path) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    write_story(
        lib,
        "dark.md",
        "Dark Water",
        [["The heron drowned."]],
        warnings='["Major Character Death"]',
    )
    write_story(lib, "light.md", "Light Water", [["The heron flew."]])
    index = SearchIndex(lib, data_dir)
    index.update()
    assert {h.title for h in index.search("heron")} == {"Dark Water", "Light Water"}
    hidden = index.search("heron", hide_warnings=frozenset({"Major Character Death"}))
    assert [h.title for h in hidden] == ["Light Water"]


def test_corrupt_index_is_rebuilt(library: Path, data_dir: Path) -> None:
    index = SearchIndex(library, data_dir)
    index.update()
    index.close()
    index.db_path.write_bytes(b"this is not a database" * 100)
    again = SearchIndex(library, data_dir)
    again.update()
    assert {h.title for h in again.search("orchard")} == {"The Quiet Orchard"}


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """Run ``tui-reader search``."""
    return subprocess.run(
        [sys.executable, "-m", "tui_reader", "search", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_search_json_and_text(library: Path) -> None:
    result = run_cli("heron", "--library", str(library), "--json")
    assert result.returncode == 0, result.stderr
    hits = json.loads(result.stdout)
    assert {h["title"] for h in hits} == {"Lanterns Over the Weir", "The Quiet Orchard"}
    first = hits[0]
    assert first["snippet"][first["highlights"][0][0] : first["highlights"][0][1]] == "heron"
    text = run_cli('"map twice"', "--library", str(library))
    assert text.returncode == 0
    assert "Lanterns Over the Weir — Chapter 2: Part 2, paragraph 2" in text.stdout
    assert "She folded the [map twice] and hid it" in text.stdout


def test_cli_search_errors_are_one_line(tmp_path: Path) -> None:
    result = run_cli("x", "--library", str(tmp_path / "missing"))
    assert result.returncode == 1
    assert result.stderr.strip() == f"error: {tmp_path / 'missing'}: no such library folder"


def test_search_covers_the_files_the_library_lists(tmp_path: Path, data_dir: Path) -> None:
    lib = tmp_path / "lib"
    (lib / "shelf").mkdir(parents=True)
    (lib / ".drafts").mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    write_story(lib / "shelf", "kite.md", "Paper Kite", [["The kite snagged on the vane."]])
    write_story(lib / ".drafts", "draft.md", "Half a Kite", [["A kite, unfinished."]])
    write_story(lib, ".secret.md", "Hidden Kite", [["A kite nobody sees."]])
    write_story(elsewhere, "linked.md", "Borrowed Kite", [["A kite from next door."]])
    (lib / "linked").symlink_to(elsewhere, target_is_directory=True)
    listed = {e.title for e in Library(lib, data_dir).scan()}
    assert listed == {"Paper Kite", "Borrowed Kite"}
    index = SearchIndex(lib, data_dir)
    index.update()
    assert {h.title for h in index.search("kite")} == listed
    assert has_stories(lib)
    assert not has_stories(lib / ".drafts" / "missing")


STORIES = Path(__file__).resolve().parents[2] / "stories"


def test_cjk_words_inside_a_sentence_are_found(tmp_path: Path, data_dir: Path) -> None:
    """Two- and three-letter Japanese words in mid-sentence, in the bundled story and a new one."""
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "hoshi.md").write_bytes((STORIES / "hoshi-o-kazoeru-hito.md").read_bytes())
    write_story(
        lib,
        "kawa.md",
        "川べりの郵便局",
        [
            [
                "古い郵便局の窓口で、彼女は毎朝切手を数えていた。",
                "雨の日には川の音が近く聞こえた。",
            ],
            ["配達員の自転車が橋を渡るたびに、鈴が小さく鳴った。"],
        ],
    )
    index = SearchIndex(lib, data_dir)
    index.update()
    # 3 letters inside 「灯子が山の上の天文台を訪ねたのは…」 (one unicode61 token before)
    hits = index.search("天文台")
    assert {h.title for h in hits} == {"星を数える人"}
    first = next(h for h in hits if h.chapter == 0 and "灯子が山の上の天文台" in h.plain_snippet())
    assert "天文台" in [first.plain_snippet()[s:e] for s, e in first.highlights()]
    # 2 letters in mid-sentence: 切手 in 「…彼女は毎朝切手を数えていた。」
    kitte = index.search("切手")
    assert [(h.title, h.chapter, h.paragraph) for h in kitte] == [("川べりの郵便局", 0, 0)]
    snippet = kitte[0].plain_snippet()
    assert [snippet[s:e] for s, e in kitte[0].highlights()] == ["切手"]
    # 3 letters: 自転車, and 2 letters 帳面 from the bundled story
    assert [h.paragraph for h in index.search("自転車")] == [0]
    assert {h.title for h in index.search("帳面")} == {"星を数える人"}
    # letters that are not next to each other in the text do not match
    assert index.search("切数") == []
    # one letter, even at the end of a run: 鳴 in 「鈴が小さく鳴った。」
    assert [h.paragraph for h in index.search("鳴")] == [0]
    # a CJK word and a latin word together must both be present
    assert index.search("切手 heron") == []


def test_cjk_query_terms_are_bigram_phrases() -> None:
    assert build_query("天文台") == 'cjk : "天文 文台"'
    assert build_query("星") == 'cjk1 : "星"'
    assert build_query("東京tower*") == 'cjk : "東京" "tower"*'
    assert build_query('"切手を 数える"') == 'cjk : "切手 手を" cjk : "数え える"'


def test_common_terms_rank_a_bounded_set_and_still_match_exactly(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the common-term threshold lowered, every path still returns only true matches."""
    import tui_reader.search as search

    lib = tmp_path / "lib"
    lib.mkdir()
    for n in range(12):
        paragraphs = [f"The river ran past mill number {n} where the wheel turned."] * 3
        if n == 5:
            paragraphs.append("A kingfisher flew along the river.")
            paragraphs.append("Kingfisher, kingfisher: the river kingfisher again.")
        write_story(lib, f"mill-{n:02d}.md", f"Mill {n:02d}", [paragraphs])
    index = SearchIndex(lib, data_dir)
    index.update()
    exact = index.search("river kingfisher")
    monkeypatch.setattr(search, "COMMON_TERM_ROWS", 5)
    assert index._is_common('"river"') and not index._is_common('"kingfisher"')
    # rare + common: only paragraphs with both, best for the rare word first (as exact bm25)
    capped = index.search("river kingfisher")
    assert [(h.title, h.paragraph) for h in capped] == [(h.title, h.paragraph) for h in exact]
    assert [h.paragraph for h in capped] == [4, 3]
    assert index.search("river zeppelin") == []
    # every term common: a bounded sample, every hit a true match, marks on the word
    monkeypatch.setattr(search, "SAMPLE_ROWS", 16)
    common = index.search("river wheel", limit=50)
    assert 0 < len(common) <= 16
    titles = {h.title for h in common}
    assert {"Mill 00", "Mill 10"} <= titles and len(titles) >= 6  # spread over the library
    for hit in common:
        words = [hit.plain_snippet()[s:e].lower() for s, e in hit.highlights()]
        assert "river" in words and "wheel" in words


def test_snippet_window_keeps_marks_balanced() -> None:
    from tui_reader.search import make_snippet

    text = " ".join(f"word{i}" for i in range(100))
    marked = text.replace("word50", MARK_START + "word50" + MARK_END)
    snippet = make_snippet(marked, width=60)
    assert snippet.startswith("…") and snippet.endswith("…")
    assert MARK_START + "word50" + MARK_END in snippet
    assert len(snippet) <= 62
    cut = make_snippet(MARK_START + "a" * 300 + MARK_END, width=50)
    assert cut.count(MARK_START) == cut.count(MARK_END) == 1


def two_files_of_one_story(lib: Path) -> tuple[Path, Path]:
    """The same story (same title and author: one id) as an older and a newer file."""
    old = write_story(lib, "heron-old.md", "Heron Weather", [["The heron waited, first draft."]])
    new = write_story(lib, "heron-new.md", "Heron Weather", [["The heron waited, revised."]])
    os.utime(old, (1_700_000_000, 1_700_000_000))
    os.utime(new, (1_800_000_000, 1_800_000_000))
    return old, new


def test_a_story_in_two_files_is_found_once_in_the_file_the_library_lists(
    tmp_path: Path, data_dir: Path
) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    old, new = two_files_of_one_story(lib)
    entries = Library(lib, data_dir).scan()
    assert [(e.path, e.also) for e in entries] == [(new, [str(old)])]
    index = SearchIndex(lib, data_dir)
    index.update()
    assert index.has_shared_ids()
    assert sorted(Path(h.path).name for h in index.search("heron")) == [
        "heron-new.md",
        "heron-old.md",
    ]
    hits = index.search("heron", hide_files=other_files(entries))
    assert [(Path(h.path), h.plain_snippet()) for h in hits] == [
        (new, "The heron waited, revised.")
    ]
    index.close()


def test_cli_search_lists_a_story_in_two_files_once(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    _old, new = two_files_of_one_story(lib)
    result = run_cli("heron", "--library", str(lib), "--json")
    assert result.returncode == 0, result.stderr
    assert [h["path"] for h in json.loads(result.stdout)] == [str(new)]


def test_cli_search_leaves_muted_stories_out_unless_all(library: Path, data_dir: Path) -> None:
    store = StateStore(data_dir, "local")
    store.mute("author", "test author")  # both stories' author, in another case
    store.close()
    result = run_cli("heron", "--library", str(library))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("No matches for 'heron'")
    assert result.stderr.strip() == "2 muted stories left out (--all includes them)"
    shown = run_cli("heron", "--library", str(library), "--all", "--json")
    assert shown.returncode == 0, shown.stderr
    assert {h["title"] for h in json.loads(shown.stdout)} == {
        "Lanterns Over the Weir",
        "The Quiet Orchard",
    }
    assert "muted" not in shown.stderr


def test_a_paragraph_of_megabytes_is_searched_in_pieces(tmp_path: Path, data_dir: Path) -> None:
    """A book that is one line (a 50 MB .txt kept a search busy for minutes: FTS5's highlight()
    costs the square of a row's length): its paragraph is stored as rows of at most
    ``ROW_CHARS``, and a word at its start, middle and end is found in that one paragraph."""
    from tui_reader.search import ROW_CHARS, row_pieces

    words = [f"word{n % 997}" for n in range(200_000)]
    words[10], words[100_000], words[-3] = "firstmarker", "middlemarker", "lastmarker"
    lib = tmp_path / "lib"
    lib.mkdir()
    write_story(lib, "long.md", "One Long Line", [["Opening.", " ".join(words)]])
    index = SearchIndex(lib, data_dir)
    index.update()
    longest = index.db.execute("SELECT max(length(text)) FROM passages").fetchone()[0]
    assert longest <= ROW_CHARS
    for marker in ("firstmarker", "middlemarker", "lastmarker"):
        hits = index.search(marker)
        assert [(h.chapter, h.paragraph) for h in hits] == [(0, 1)], marker
        assert marker in hits[0].plain_snippet()
    index.close()
    text = "a" * 20_000 + " " + "b" * 10 + " " + "c" * 3
    assert "".join(row_pieces(text)) == text  # nothing lost, cut anywhere without a space
    assert all(len(piece) <= ROW_CHARS for piece in row_pieces(text))


def test_the_index_merges_sixteen_segments_at_a_time(library: Path, data_dir: Path) -> None:
    """FTS5's automerge 16 (its default is 4) is what keeps a 1,000-story build under its 20 s
    (docs/benchmarks.md): set on a new index, and kept when it is opened again."""
    index = SearchIndex(library, data_dir)
    index.update()
    config = dict(index.db.execute("SELECT k, v FROM passages_config").fetchall())
    assert config["automerge"] == 16 and config["pgsz"] == 8000
    index.close()
