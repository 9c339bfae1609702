"""The generated bibliography: entries from the sources table, set in the PDF's fonts."""

from __future__ import annotations

import pandas as pd

from analysis.present.bibliography import bib_entry, display_title


def test_cjk_title_shows_its_translation_and_latin_titles_stay():
    assert display_title("日本がロシア追加制裁発表 [Japan announces additional sanctions]") == (
        "[Japan announces additional sanctions] (in Japanese)"
    )
    assert display_title("Understanding Process Tracing") == "Understanding Process Tracing"
    assert display_title("A title [with a bracket]") == "A title [with a bracket]"


def test_entry_escapes_markup_and_names_the_container():
    row = pd.Series(
        {
            "key": "collier2011",
            "entry_type": "article",
            "author": "Collier, David",
            "title": "Understanding Process Tracing",
            "container": "PS: Political Science & Politics",
            "publisher": "",
            "date": "2011",
            "url": "",
            "accessed": "",
        }
    )
    entry = bib_entry(row)
    assert entry.startswith("@article{collier2011,")
    assert "journaltitle = {{PS: Political Science \\& Politics}}" in entry


def test_cjk_container_shows_its_latin_name():
    from analysis.present.bibliography import display_container

    assert (
        display_container("中央日報 (JoongAng Ilbo, Japanese edition)") == "JoongAng Ilbo, Japanese edition"
    )
    assert display_container("Asahi Shinbun") == "Asahi Shinbun"


def test_names_and_containers_print_as_coded(tmp_path):
    """BibLaTeX splits organization, institution and publisher at " and ", and the bibliography
    reader re-cases a container's title: both are braced, so the reference list shows them as the
    sources table has them."""
    import pypandoc

    from analysis.present.bibliography import bibliography

    rows = [
        ("a", "online", "Department of Foreign Affairs and Trade", ""),
        ("b", "report", "Institute for Security and Development Policy", ""),
        ("c", "incollection", "Collected Papers on the U.S. and Its Allies", "Fixture Press"),
    ]
    sources = pd.DataFrame(
        [
            {
                "key": key,
                "entry_type": kind,
                "author": "Doe, Jane",
                "title": f"Title {key}",
                "container": container,
                "publisher": publisher,
                "date": "2016",
                "url": "",
                "accessed": "",
            }
            for key, kind, container, publisher in rows
        ]
    )
    (tmp_path / "refs.bib").write_text(bibliography(sources), encoding="utf-8")
    text = pypandoc.convert_text(
        "See [@a; @b; @c].",
        "plain",
        format="markdown",
        extra_args=["--citeproc", "--bibliography", str(tmp_path / "refs.bib"), "--wrap=none"],
    )
    for _, _, container, _ in rows:
        assert container in text, text
