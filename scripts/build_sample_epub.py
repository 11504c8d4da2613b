"""Build the sample EPUB ``stories/a-small-orchard-on-the-moon.epub`` from the text below.

An EPUB 3 package as a generic e-book tool would write it: ``mimetype`` stored first, an OPF
with a spine, an XHTML nav document *and* an NCX (for EPUB 2 readers), a title page that is not
a chapter, and one XHTML file per chapter. Deterministic: fixed timestamps in the zip, so the
same text gives the same bytes.

    python scripts/build_sample_epub.py          # writes into stories/
    python scripts/build_sample_epub.py OUT.epub # writes elsewhere
"""

from __future__ import annotations

import sys
import zipfile
from html import escape
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "stories" / "a-small-orchard-on-the-moon.epub"
"""Where the book is written by default."""

TITLE = "A Small Orchard on the Moon"
AUTHOR = "Juniper Oakes"
UID = "urn:uuid:7b1f4c2e-5a0d-4e8b-9c3f-2d6a1e0b9f41"
MODIFIED = "2024-01-01T00:00:00Z"
DESCRIPTION = (
    "The first apple tree on the Moon grows in a dome the size of a kitchen, tended by a "
    "retired schoolteacher who was only supposed to stay for six months."
)

CHAPTERS: list[tuple[str, list[str]]] = [
    (
        "Regolith",
        [
            "Agatha Pim was sixty-eight years old when she went to the Moon, and she went "
            "because of a typing error. The agricultural programme had asked for a soil "
            "scientist with thirty years' experience; someone in an office had read the "
            "application of a woman with thirty years' experience of teaching soil science to "
            "eleven-year-olds, and had not looked closely at the difference.",
            "By the time anyone noticed, she was already in the dome.",
            "It was the size of a large kitchen, with a floor of grey lunar dust mixed with "
            "compost from the station's recyclers, and in the middle of it, in a pot made from "
            "a cut-down fuel drum, stood a whip of an apple tree no taller than her knee.",
            "*",
            "\u201cIt isn't growing,\u201d said the station manager, a tired young man named "
            "Okafor. \u201cThree previous specialists. Nobody can tell us why.\u201d",
            "Agatha knelt down in the dust and looked at the little tree for a long time. Then "
            "she asked for a teaspoon, a jam jar and a magnifying glass.",
        ],
    ),
    (
        "Worms",
        [
            "There were no worms. That was the whole of it, in the end. The compost was sterile, "
            "as everything on the station was sterile, and the soil was as dead as the Moon "
            "outside. A tree cannot eat what nothing has broken down for it.",
            "She wrote a letter home to her old school, on the station's one slow link, and "
            "asked the children of Class Four to send her worms.",
            "*",
            "They came up on the next supply flight in a sealed tub labelled LIVE CARGO "
            "\u2014 HANDLE WITH LOVE in thick felt pen. Agatha opened it in the dome with "
            "Okafor watching over her shoulder, and tipped two hundred red wrigglers into the "
            "grey dust one careful handful at a time.",
            "\u201cThey won't survive,\u201d said Okafor.",
            "\u201cThey're worms,\u201d said Agatha. \u201cThey've survived everything else.\u201d",
        ],
    ),
    (
        "Blossom",
        [
            "The tree flowered in its third spring, although there are no springs on the "
            "Moon; Agatha kept the calendar anyway, and turned the dome's lights up a little "
            "longer each day from March, because a tree likes to know what season it is.",
            "There were eleven blossoms, white edged with pink. Nobody on the station had "
            "seen a flower in years. They came into the dome in ones and twos, in their "
            "work overalls, and stood by the fuel-drum pot without saying anything, and went "
            "away again looking as though they had been somewhere far off.",
            "*",
            "There was one apple that year. It was small and hard and slightly sour, and Agatha "
            "cut it into thirty-one pieces so that everyone on the station could have a "
            "slice, and posted the pips home to Class Four in an envelope.",
            "She was supposed to stay for six months. She stayed for nine years.",
        ],
    ),
]
"""Chapter titles and paragraphs; a lone ``*`` is a scene break."""


def xhtml(title: str, body: str) -> str:
    """A complete XHTML document."""
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n'
        '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" '
        'xml:lang="en" lang="en">\n'
        f'<head><meta charset="utf-8"/><title>{escape(title)}</title>'
        '<link rel="stylesheet" type="text/css" href="style.css"/></head>\n'
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def chapter_xhtml(number: int, title: str, paragraphs: list[str]) -> str:
    """One chapter file: its heading, paragraphs and ``<hr/>`` scene breaks."""
    parts = [f'<section epub:type="chapter"><h2>Chapter {number}: {escape(title)}</h2>']
    for text in paragraphs:
        parts.append('<hr class="scene-break"/>' if text == "*" else f"<p>{escape(text)}</p>")
    parts.append("</section>")
    return xhtml(f"Chapter {number}: {title}", "\n".join(parts))


def title_page() -> str:
    """The title page (a front-matter page, not a chapter)."""
    body = (
        '<section epub:type="titlepage" class="titlepage">'
        f'<h1>{escape(TITLE)}</h1><p class="author">{escape(AUTHOR)}</p>'
        f'<p class="blurb">{escape(DESCRIPTION)}</p></section>'
    )
    return xhtml(TITLE, body)


def nav() -> str:
    """The EPUB 3 navigation document."""
    items = "\n".join(
        f'<li><a href="chapter{n}.xhtml">Chapter {n}: {escape(t)}</a></li>'
        for n, (t, _) in enumerate(CHAPTERS, start=1)
    )
    body = (
        f'<nav epub:type="toc" id="toc"><h1>Contents</h1><ol>\n'
        f'<li><a href="title.xhtml">Title Page</a></li>\n{items}\n</ol></nav>'
    )
    return xhtml("Contents", body)


def ncx() -> str:
    """The EPUB 2 NCX table of contents."""
    points = [
        '<navPoint id="np0" playOrder="1"><navLabel><text>Title Page</text></navLabel>'
        '<content src="title.xhtml"/></navPoint>'
    ]
    for n, (title, _) in enumerate(CHAPTERS, start=1):
        points.append(
            f'<navPoint id="np{n}" playOrder="{n + 1}"><navLabel><text>Chapter {n}: '
            f'{escape(title)}</text></navLabel><content src="chapter{n}.xhtml"/></navPoint>'
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1">\n'
        f'<head><meta name="dtb:uid" content="{UID}"/></head>\n'
        f"<docTitle><text>{escape(TITLE)}</text></docTitle>\n"
        f"<navMap>\n{chr(10).join(points)}\n</navMap>\n</ncx>\n"
    )


def opf() -> str:
    """The package document: metadata, manifest and spine."""
    chapters = range(1, len(CHAPTERS) + 1)
    manifest = "\n".join(
        [
            '<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>',
            '<item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>',
            '<item id="css" href="style.css" media-type="text/css"/>',
            '<item id="title" href="title.xhtml" media-type="application/xhtml+xml"/>',
        ]
        + [
            f'<item id="ch{n}" href="chapter{n}.xhtml" media-type="application/xhtml+xml"/>'
            for n in chapters
        ]
    )
    spine = "\n".join(
        ['<itemref idref="title"/>'] + [f'<itemref idref="ch{n}"/>' for n in chapters]
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<package xmlns="http://www.idpf.org/2007/opf" version="3.0" '
        'unique-identifier="bookid">\n'
        '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">\n'
        f'<dc:identifier id="bookid">{UID}</dc:identifier>\n'
        f"<dc:title>{escape(TITLE)}</dc:title>\n"
        f"<dc:creator>{escape(AUTHOR)}</dc:creator>\n"
        "<dc:language>en</dc:language>\n"
        f"<dc:description>{escape(DESCRIPTION)}</dc:description>\n"
        "<dc:subject>Science Fiction</dc:subject>\n"
        f'<meta property="dcterms:modified">{MODIFIED}</meta>\n'
        "</metadata>\n"
        f"<manifest>\n{manifest}\n</manifest>\n"
        f'<spine toc="ncx">\n{spine}\n</spine>\n'
        "</package>\n"
    )


CONTAINER = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">\n'
    '<rootfiles><rootfile full-path="OEBPS/content.opf" '
    'media-type="application/oebps-package+xml"/></rootfiles>\n'
    "</container>\n"
)
STYLE = "body { font-family: serif; } hr.scene-break { margin: 2em auto; width: 30%; }\n"


def files() -> list[tuple[str, str]]:
    """Every file of the book, in the order it is zipped (mimetype first)."""
    out = [
        ("mimetype", "application/epub+zip"),
        ("META-INF/container.xml", CONTAINER),
        ("OEBPS/content.opf", opf()),
        ("OEBPS/nav.xhtml", nav()),
        ("OEBPS/toc.ncx", ncx()),
        ("OEBPS/style.css", STYLE),
        ("OEBPS/title.xhtml", title_page()),
    ]
    for n, (title, paragraphs) in enumerate(CHAPTERS, start=1):
        out.append((f"OEBPS/chapter{n}.xhtml", chapter_xhtml(n, title, paragraphs)))
    return out


def build(out: Path) -> None:
    """Write the EPUB to ``out``."""
    with zipfile.ZipFile(out, "w") as book:
        for name, text in files():
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            book.writestr(info, text.encode("utf-8"))


def main(argv: list[str]) -> int:
    """Build the book at ``argv[0]`` or the default path."""
    out = Path(argv[0]) if argv else OUT
    build(out)
    print(f"wrote {out} ({out.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
