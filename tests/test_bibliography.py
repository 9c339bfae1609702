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
    assert "journaltitle = {PS: Political Science \\& Politics}" in entry


def test_cjk_container_shows_its_latin_name():
    from analysis.present.bibliography import display_container

    assert (
        display_container("中央日報 (JoongAng Ilbo, Japanese edition)") == "JoongAng Ilbo, Japanese edition"
    )
    assert display_container("Asahi Shinbun") == "Asahi Shinbun"
