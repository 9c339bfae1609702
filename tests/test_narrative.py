"""The per-round chapter text is written from the tables it is given, never from typed numbers."""

from __future__ import annotations

import pandas as pd

from analysis.present.narrative import date_text, number, pipe_table, round_chapter

WINDOW = {"id": "R2", "label": "Round 2 (April–August 2014)", "start": "2014-04-01", "end": "2014-08-31"}


def tables() -> dict[str, pd.DataFrame]:
    measures = pd.DataFrame({
        "event_id": ["JP-a", "US-b", "JP-c"], "sender": ["JP", "US", "JP"],
        "instrument": ["travel_ban", "asset_freeze", "asset_freeze"],
        "date": ["2014-04-29", "2014-03-16", "2014-07-28"], "date_precision": ["day", "day", "day"],
        "round": ["R2", "R1", "R2"], "individuals": [23, 104, 40], "entities": [None, 55, 2],
        "sources": ["silbaum2017", "silbaum2017", "silbaum2017;hirose2014stimson"]})
    pressure = pd.DataFrame({"pressure_id": ["US-1", "US-2"], "date": ["2014-04-24", "2014-07-05"],
                             "date_precision": ["day", "day"], "round": ["R2", "R2"],
                             "actor": ["Obama", "Russel"], "channel": ["indirect", "direct"],
                             "form": ["summit", "interview"], "intensity": [2, 3],
                             "source": ["silbaum2017", "hirose2014stimson"]})
    influence = pd.DataFrame({"round": ["R2"], "aggregation": ["source_balanced"], "influence": [0.35],
                              "n_statements": [9], "n_sources": [4], "ego": [0.1], "alter": [0.6],
                              "researcher": [0.4]})
    attainment = pd.DataFrame({"round": ["R2", "R2"], "actor": ["US", "JP"],
                               "measure": ["proportional"] * 2, "reversion": [0.03, 0.03],
                               "outcome": [0.38, 0.38], "ideal": [0.47, 0.06],
                               "attainment": [0.79, -1.0], "lower": [0.76, -1.0], "upper": [0.83, -1.0]})
    weights = pd.DataFrame({"evidence_id": ["EV-1", "EV-2"], "hypothesis": ["HP1", "HP1"],
                            "round": ["R2", "R2"], "weight_db": [10.0, -1.8], "counted": [True, True]})
    posteriors = pd.DataFrame({"hypothesis": ["HP1"], "round": ["R2"], "posterior": [0.9],
                               "verdict": ["supported"]})
    verdicts = pd.DataFrame({"hypothesis": ["HP1"], "round": ["R2"], "verdict": ["supported"],
                             "rule": ["hp1.rule=bayes_only"], "evidence": ["posterior=0.9"],
                             "thesis_verdict": ["supported"]})
    return {"measures": measures, "pressure": pressure, "influence": influence,
            "attainment": attainment, "evidence_weights": weights, "posteriors": posteriors,
            "verdicts": verdicts}


def test_round_chapter_reports_the_round_from_its_tables():
    text = round_chapter(WINDOW, tables(), "US")
    assert text.startswith("# Round 2 (April–August 2014) {#sec-round-r2}")
    assert "report 2 measure(s); Japan took 2" in text  # the US measure of March lies in R1
    assert "travel and visa bans (29 April 2014)" in text
    assert "2 act(s) of US pressure on Japan in this round, 1 of them direct and 1 indirect" in text
    assert "attributed US influence of 0.35" in text
    assert "net weight 8.2 dB" in text  # 10.0 - 1.8
    assert "HP1 is **supported** in this round" in text
    assert "the pipeline agrees." in text
    assert "[@silbaum2017; @hirose2014stimson]" in text  # sources cited author-date, not as raw keys


def test_small_formatters():
    assert date_text("2014-07-02", "year") == "2014"
    assert date_text("2014-09-15", "month") == "September 2014"
    assert date_text("2014-07-28") == "28 July 2014"
    assert number(None) == "n/a"
    assert number(0.5) == "0.50"
    assert number(0.278, 1) == "0.3"
    assert number(40.0) == "40"
    assert pipe_table(pd.DataFrame()) == "*(none in this round)*"
    assert pipe_table(pd.DataFrame({"a": ["x|y"]}), "Cap", "tbl-a").endswith(": Cap {#tbl-a}")
