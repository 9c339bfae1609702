"""The per-round chapter text is written from the tables it is given, never from typed numbers."""

from __future__ import annotations

import pandas as pd

from analysis.present.narrative import date_text, number, pipe_table, round_chapter

WINDOW = {"id": "R2", "label": "Round 2 (April–August 2014)", "start": "2014-04-01", "end": "2014-08-31"}


def tables() -> dict[str, pd.DataFrame]:
    measures = pd.DataFrame(
        {
            "event_id": ["JP-a", "US-b", "JP-c"],
            "sender": ["JP", "US", "JP"],
            "instrument": ["travel_ban", "asset_freeze", "asset_freeze"],
            "date": ["2014-04-29", "2014-03-16", "2014-07-28"],
            "date_precision": ["day", "day", "day"],
            "round": ["R2", "R1", "R2"],
            "individuals": [23, 104, 40],
            "entities": [None, 55, 2],
            "sources": ["silbaum2017", "silbaum2017", "silbaum2017;hirose2014stimson"],
        }
    )
    pressure = pd.DataFrame(
        {
            "pressure_id": ["US-1", "US-2"],
            "date": ["2014-04-24", "2014-07-05"],
            "date_precision": ["day", "day"],
            "round": ["R2", "R2"],
            "actor": ["Obama", "Russel"],
            "channel": ["indirect", "direct"],
            "form": ["summit", "interview"],
            "intensity": [2, 3],
            "source": ["silbaum2017", "hirose2014stimson"],
        }
    )
    influence = pd.DataFrame(
        {
            "round": ["R2"],
            "aggregation": ["source_balanced"],
            "influence": [0.35],
            "n_statements": [9],
            "n_sources": [4],
            "ego": [0.1],
            "alter": [0.6],
            "researcher": [0.4],
        }
    )
    attainment = pd.DataFrame(
        {
            "round": ["R2", "R2"],
            "actor": ["US", "JP"],
            "measure": ["proportional"] * 2,
            "reversion": [0.03, 0.03],
            "outcome": [0.38, 0.38],
            "ideal": [0.47, 0.06],
            "attainment": [0.79, -1.0],
            "lower": [0.76, -1.0],
            "upper": [0.83, -1.0],
            "improvement": [0.35, -0.3],
        }
    )
    weights = pd.DataFrame(
        {
            "evidence_id": ["EV-1", "EV-2"],
            "hypothesis": ["HP1", "HP1"],
            "round": ["R2", "R2"],
            "weight_db": [10.0, -1.8],
            "counted": [True, True],
        }
    )
    posteriors = pd.DataFrame(
        {"hypothesis": ["HP1"], "round": ["R2"], "posterior": [0.9], "verdict": ["supported"]}
    )
    verdicts = pd.DataFrame(
        {
            "hypothesis": ["HP1"],
            "round": ["R2"],
            "verdict": ["supported"],
            "rule": ["hp1.rule=bayes_only"],
            "evidence": ["posterior=0.9"],
            "thesis_verdict": ["supported"],
        }
    )
    return {
        "measures": measures,
        "pressure": pressure,
        "influence": influence,
        "attainment": attainment,
        "evidence_weights": weights,
        "posteriors": posteriors,
        "verdicts": verdicts,
    }


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


SETTINGS = {
    "hp1.pa_margin": "extensive",
    "hp1.ai_threshold": "0.5",
    "hp1.rule": "all_three",
    "process_tracing.thresholds.supported": "0.75",
    "process_tracing.thresholds.rejected": "0.25",
    "reactivity.threshold": "0.5",
    "reactivity.hp2_rule": "majority",
    "reactive_state.aggregation": "conjunctive",
    "comparison.leader": "US",
}


def test_hp1_sentence_names_the_condition_that_decided_with_value_and_threshold():
    from analysis.present.narrative import hp1_conditions, hp1_sentence

    data = tables()
    data["influence"].loc[0, "influence"] = 0.3  # below the 0.5 threshold
    conditions = hp1_conditions("R2", data, SETTINGS)
    assert [c["passes"] for c in conditions] == [True, False, True]
    text = hp1_sentence("R2", "rejected", conditions, SETTINGS)
    assert "It fails because attributed US influence is 0.30, 0.20 short (it must reach 0.50)" in text
    assert "process-tracing posterior of HP1 is 0.90 (it must reach 0.75)" in text
    assert "not that the evidence refutes it" in text  # posterior 0.9 is above the rejection cut


def test_round_chapter_names_only_coded_groups_of_speakers():
    data = tables()
    data["by_type"] = pd.DataFrame(
        {
            "round": ["R2", "R2"],
            "attributor_type": ["ego", "expert"],
            "mean_strength": [0.1, 0.4],
            "n_statements": [3, 6],
        }
    )
    text = round_chapter(WINDOW, data, "US", SETTINGS)
    assert "Japanese officials 0.10" in text and "researchers 0.40" in text
    assert "allied" not in text and "Russian" not in text  # no alter statement is coded
    assert "It meets the other conditions" in text


def test_allies_table_gives_each_senders_ratio_to_the_leader():
    from analysis.present.narrative import allies_table

    stringency = pd.DataFrame(
        {
            "sender": ["JP", "US", "JP", "US"],
            "round": ["R1", "R1", "R2", "R2"],
            "stringency_stock": [10.0, 40.0, 30.0, 60.0],
        }
    )
    table = allies_table(stringency, ["R1", "R2"], "US")
    assert list(table.columns) == ["Sender", "R1 stringency", "R2 stringency", "R1 ÷ US", "R2 ÷ US"]
    japan = table[table["Sender"] == "Japan"].iloc[0]
    assert japan["R1 ÷ US"] == 0.25 and japan["R2 ÷ US"] == 0.5


def test_discussion_covers_every_verdict_that_differs_from_the_thesis():
    from analysis.present.narrative import discussion

    data = tables()
    data["influence"].loc[0, "influence"] = 0.3
    data["verdicts"].loc[0, "verdict"] = "rejected"
    data["replication"] = pd.DataFrame(
        {
            "claim_id": ["CL-1", "CL-2"],
            "kind": ["verdict", "date"],
            "target_id": ["HP1:R2", "JP-a"],
            "thesis_value": ["supported", "2014-04-29"],
            "pipeline_value": ["rejected", "2014-04-29"],
            "status": ["differs", "agrees"],
            "section": ["5.1. RESULTS", "4"],
            "paragraph": [1, 2],
        }
    )
    data["thesis_claims"] = pd.DataFrame(
        {"claim_id": ["CL-1"], "note": ["Round 2 result: Tokyo gave in to Washington."]}
    )
    data["attributions"] = pd.DataFrame(
        {
            "round": ["R2", "all"],
            "cause": ["own_interest", "us_pressure"],
            "strength": ["minor"] * 2,
            "attributor_type": ["expert", "ego"],
            "source": ["silbaum2017"] * 2,
            "note": ["Energy needs after the nuclear shutdown.", "Pressure from Washington."],
        }
    )
    data["evidence"] = pd.DataFrame(
        {
            "evidence_id": ["EV-1", "EV-2"],
            "observation": ["a", "b"],
            "note": ["", ""],
            "source": ["silbaum2017"] * 2,
        }
    )
    text = discussion(data, SETTINGS, ["R2"])
    assert "## HP1 in round 2" in text
    assert "[@silbaum2017, §5.1, paragraph 1]" in text and "Tokyo gave in to Washington" in text
    assert "would have to rise by 0.20 to 0.50" in text
    assert "**Energy needs**: 1 statement(s) (1 naming Japan's own interests)" in text
    assert "North Korea**: no coded row raises it" in text


def test_choices_table_says_a_shared_description_once():
    from analysis.present.narrative import choices_table

    choices = pd.DataFrame(
        {
            "key": ["a.low", "a.high", "b"],
            "value": ["0", "1", "x"],
            "description": ["Cut points. More.", "Cut points. More.", "Other."],
        }
    )
    table = choices_table(choices)
    assert table.to_dict("records") == [
        {"Key": "a.low, high", "Value": "0, 1", "What it decides": "Cut points."},
        {"Key": "b", "Value": "x", "What it decides": "Other."},
    ]


def test_measure_tables_cite_the_primary_sources_of_every_report():
    from analysis.present.narrative import measures_in_round, with_measure_cites

    reports = pd.DataFrame(
        {"event_id": ["JP-a", "JP-a", "JP-c"], "cites": ["mofa20140429", "kitade2016;mofa20140429", None]}
    )
    measures = with_measure_cites(tables()["measures"], reports)
    shown = measures_in_round(measures, "R2", ["JP"])
    assert shown["Reported by"].tolist() == [
        "[@silbaum2017; @kitade2016; @mofa20140429]",
        "[@silbaum2017; @hirose2014stimson]",
    ]
    assert "[@kitade2016; @mofa20140429]" in round_chapter(WINDOW, {**tables(), "measures": measures}, "US")
