"""The per-round chapter text is written from the tables it is given, never from typed numbers."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.present import labels
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
    "hp1.ai_against": "0.333",
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
    data["influence"].loc[0, "influence"] = 0.4  # below the 0.5 threshold, above the 0.333 against-cut
    conditions = hp1_conditions("R2", data, SETTINGS)
    assert [c["passes"] for c in conditions] == [True, False, True]
    assert [c["against"] for c in conditions] == [False, False, False]
    text = hp1_sentence("R2", "not supported", conditions, SETTINGS)
    assert "HP1 is **not supported**" in text
    assert "It fails because attributed US influence is 0.40, 0.10 short (it must reach 0.50)" in text
    assert "process-tracing posterior of HP1 is 0.90 (it must reach 0.75)" in text
    assert "not that the evidence refutes it" in text  # no condition at or below its against-cut


def test_hp1_sentence_says_why_a_round_is_rejected_not_merely_not_supported():
    from analysis.present.narrative import hp1_conditions, hp1_sentence

    data = tables()
    data["influence"].loc[0, "influence"] = 0.3  # at most a minor contribution: against HP1
    conditions = hp1_conditions("R2", data, SETTINGS)
    assert [c["against"] for c in conditions] == [False, True, False]
    text = hp1_sentence("R2", "rejected", conditions, SETTINGS)
    assert "HP1 is **rejected**" in text
    assert "rejected, not merely not supported" in text
    assert "attributed US influence is at or below 0.33" in text
    assert "not that the evidence refutes it" not in text


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


def test_findings_count_the_thesis_rounds_and_state_out_of_sample_rounds_apart(monkeypatch):
    import analysis.present.narrative as narrative

    verdicts = pd.DataFrame(
        {
            "hypothesis": ["HP1", "HP1", "HP2", "HP3", "HP1", "HP2"],
            "round": ["R1", "R2", "all", "all", "R4", "R4"],
            "verdict": ["supported", "rejected", "supported", "rejected", "rejected", "supported"],
            "thesis_verdict": ["supported", "supported", "rejected", "rejected", "", ""],
        }
    )
    monkeypatch.setattr(narrative, "hp1_conditions", lambda round_id, tables, settings: [])
    text = narrative.findings({"verdicts": verdicts}, {}, ["R1", "R2"], ["R4"])
    assert "supported in 1 of 2 rounds (rejected in 1); the thesis finds it in 2" in text
    assert text.endswith("Out of sample, in round 4, HP1 is **rejected** and HP2 is **supported**.")


# ── Out-of-sample chapter ───────────────────────────────────────────────────────────────────
OOS_WINDOWS = [
    {"id": "R1", "label": "Round 1", "start": "2014-03-01", "end": "2014-03-31"},
    {"id": "R2", "label": "Round 2", "start": "2014-04-01", "end": "2016-07-31"},
    {
        "id": "R4",
        "label": "Round 4 (out of sample)",
        "start": "2022-01-01",
        "end": "2022-12-31",
        "out_of_sample": True,
    },
]
OOS_SETTINGS = {
    "hp1.pa_margin": "extensive",
    "hp1.ai_threshold": "0.5",
    "hp1.ai_against": "0.333",
    "process_tracing.thresholds.supported": "0.75",
    "process_tracing.thresholds.rejected": "0.25",
}


def oos_tables(
    r4_lag_us: float = 10.0, r4_ratio: float = 0.8, r4_hp1: str = "rejected"
) -> dict[str, pd.DataFrame]:
    """Two in-sample rounds and one out-of-sample round; the keyword arguments set what decides the
    conclusions in the out-of-sample round."""
    by_sender = pd.DataFrame(
        {
            "event_id": ["J1", "J2", "J3", "J1", "J2", "J3", "J4"],
            "instrument": [
                "travel_ban",
                "asset_freeze",
                "asset_freeze",
                "travel_ban",
                "asset_freeze",
                "asset_freeze",
                "asset_freeze",
            ],
            "round": ["R1", "R2", "R4", "R1", "R2", "R4", "R4"],
            "against": ["US", "US", "US", "EU", "EU", "EU", "EU"],
            "lag_days": [2.0, 40.0, r4_lag_us, 12.0, None, 3.0, 7.0],
        }
    )
    measures = pd.DataFrame(
        {
            "event_id": ["JP-k1", "JP-k2", "US-k"],
            "sender": ["JP", "JP", "US"],
            "instrument": ["carve_out", "not_adopted", "carve_out"],
            "affects_instrument": ["energy_import_ban", "energy_import_ban", "asset_freeze"],
            "date": ["2022-02-25", "2022-03-09", "2022-03-01"],
            "date_precision": ["day"] * 3,
            "round": ["R4"] * 3,
            "sources": ["ap2022", "kyodo2022", "ap2022"],
        }
    )
    stringency = pd.DataFrame(
        {
            "sender": ["JP", "JP", "JP", "US", "US", "US"],
            "round": ["R1", "R2", "R4"] * 2,
            "stringency": [5.0, 40.0, 80.0 * r4_ratio, 25.0, 60.0, 80.0],
            "relative_to_leader": [0.2, 0.667, r4_ratio, 1.0, 1.0, 1.0],
            "coverage": [0.3, 0.8, 1.0, 1.0, 1.0, 1.0],
            "breadth": [1, 4, 5, 3, 4, 5],
        }
    )
    verdicts = pd.DataFrame(
        {
            "hypothesis": ["HP1", "HP1", "HP1", "HP2", "HP3", "HP2", "HP3"],
            "round": ["R1", "R2", "R4", "all", "all", "R4", "R4"],
            "verdict": ["rejected", "supported", r4_hp1, "supported", "rejected", "rejected", "rejected"],
            "thesis_verdict": ["supported", "supported", None, "rejected", "rejected", None, None],
        }
    )
    attributions = pd.DataFrame(
        {
            "round": ["R1", "R2", "R4", "R4", "R4"],
            "cause": ["us_pressure", "own_interest", "us_pressure", "g7_coordination", "g7_coordination"],
            "attributor_type": ["expert", "ego", "ego", "ego", "media"],
        }
    )
    return {
        "timing_by_sender": by_sender,
        "measures": measures,
        "stringency": stringency,
        "verdicts": verdicts,
        "attributions": attributions,
        "pressure": pd.DataFrame(
            {
                "round": ["R1", "R4", "R4", "R4"],
                "act": [None, "request", "praise", "praise"],
                "channel": ["direct", "direct", "indirect", "indirect"],
            }
        ),
        "reactivity": pd.DataFrame({"round": ["R1", "R2", "R4"], "independent_initiatives": [2, 3, 0]}),
        "influence": pd.DataFrame({"round": ["R1", "R2", "R4"], "influence": [0.2, 0.6, 0.1]}),
        "attainment": pd.DataFrame(
            {"round": ["R4"], "actor": ["US"], "improvement": [0.5], "attainment": [1.0]}
        ),
        "posteriors": pd.DataFrame(
            {"hypothesis": ["HP1"], "round": ["R4"], "posterior": [0.5], "n_items": [0]}
        ),
    }


def test_lag_comparison_pools_the_in_sample_rounds_and_keeps_each_out_of_sample_round_apart():
    from analysis.present.narrative import lag_comparison

    table = lag_comparison(oos_tables()["timing_by_sender"], OOS_WINDOWS)
    cell = table.set_index(["instrument", "against", "sample"])
    assert cell.loc[("asset_freeze", "US", "2014–2016"), "median_lag_days"] == 40
    assert cell.loc[("asset_freeze", "EU", "R4"), "median_lag_days"] == 5  # median of 3 and 7
    assert cell.loc[("asset_freeze", "EU", "R4"), "n"] == 2
    assert ("asset_freeze", "EU", "2014–2016") not in cell.index  # the untimed measure drops out


def test_conclusions_follow_the_numbers_either_way():
    from analysis.present.narrative import thesis_conclusions

    window = OOS_WINDOWS[-1]
    outcome, text = thesis_conclusions(oos_tables(), OOS_WINDOWS, "US", window, OOS_SETTINGS)
    assert outcome["late"] == "carries over"  # 10 days behind the US, 5 behind the EU
    assert outcome["mild"] == "carries over"
    assert outcome["under US pressure"] == "does not carry over"
    assert (
        outcome["keeping room for its own Russia policy"] == "carries over in part"
    )  # kept out, no initiative
    assert "**Late carries over.**" in text and "10 days after the United States'" in text
    outcome, text = thesis_conclusions(
        oos_tables(r4_lag_us=-4.0, r4_ratio=1.1, r4_hp1="supported"), OOS_WINDOWS, "US", window, OOS_SETTINGS
    )
    assert outcome["late"] == "carries over in part"  # before the US, after the EU
    assert outcome["mild"] == "does not carry over"
    assert outcome["under US pressure"] == "carries over"
    assert "4 days before the United States'" in text


def test_thesis_comparison_puts_each_out_of_sample_value_beside_the_in_sample_ones():
    from analysis.present.narrative import thesis_comparison

    table = thesis_comparison(oos_tables(), OOS_WINDOWS, "US").set_index("What")
    assert list(table.columns) == ["Round 1", "Round 2", "2014–2016 pooled", "Round 4"]
    assert table.loc["HP1, this build", "2014–2016 pooled"] == "supported in 1 of 2"
    assert table.loc["HP1, this build", "Round 4"] == "rejected"
    assert table.loc["HP2, this build", "Round 4"] == "rejected"
    assert table.loc["HP2, the thesis", "2014–2016 pooled"] == "rejected"
    assert table.loc["Median lag behind the United States (days)", "2014–2016 pooled"] == "21"
    assert table.loc["Median lag behind the European Union (days)", "Round 4"] == "5"
    assert table.loc["Statements crediting US pressure", "Round 4"] == "1 of 3"
    assert table.loc["Measures kept out or not adopted", "Round 4"] == "2"


def test_a_second_out_of_sample_round_gets_the_same_treatment():
    from analysis.present.narrative import out_of_sample_lead, thesis_comparison

    windows = [
        *OOS_WINDOWS,
        {
            "id": "R5",
            "label": "Round 5 (out of sample)",
            "start": "2023-01-01",
            "end": "2023-12-31",
            "out_of_sample": True,
        },
    ]
    tables = oos_tables()
    tables["verdicts"] = pd.concat(
        [
            tables["verdicts"],
            pd.DataFrame(
                {
                    "hypothesis": ["HP2"],
                    "round": ["R4+R5"],
                    "verdict": ["supported"],
                    "thesis_verdict": [None],
                }
            ),
        ],
        ignore_index=True,
    )
    table = thesis_comparison(tables, windows, "US").set_index("What")
    assert {"Round 4", "Round 5", "R4+R5"} <= set(table.columns)
    assert table.loc["HP2, this build", "R4+R5"] == "supported"
    text = out_of_sample_lead(tables, windows, "US", OOS_SETTINGS)
    assert "in round 4." in text and "in round 5." in text  # a paragraph per round


def test_chapter_without_out_of_sample_rounds_says_so_in_one_sentence():
    from analysis.present.narrative import out_of_sample_body, out_of_sample_lead

    windows = OOS_WINDOWS[:2]
    lead = out_of_sample_lead(oos_tables(), windows, "US", OOS_SETTINGS)
    assert lead.count(". ") == 0 and "exclude" in lead
    assert out_of_sample_body(oos_tables(), windows, "US") == ""


def test_kept_out_pressure_and_attribution_tables_count_the_rows():
    from analysis.present.narrative import attribution_counts, kept_out_table, pressure_counts

    tables = oos_tables()
    kept = kept_out_table(tables["measures"], "R4")
    assert kept["Kind"].tolist() == ["carve-out", "not adopted"]  # Japan's only, in date order
    assert set(kept["What it spares"]) == {"energy import bans"}
    acts = pressure_counts(tables["pressure"], ["R1", "R4"]).set_index("Act")
    assert acts.loc["Praise", "Round 4"] == 2 and acts.loc["Not coded by act", "Round 1"] == 1
    causes = attribution_counts(tables["attributions"], "R4").set_index("Cause named")
    assert causes.loc["G7 coordination", "Statements"] == 2
    assert causes.loc["G7 coordination", "Credits US pressure"] == "no"
    assert causes.loc["US pressure", "Credits US pressure"] == "yes"


def test_findings_read_not_supported_as_agreeing_with_a_thesis_that_rejects(monkeypatch):
    import analysis.present.narrative as narrative

    verdicts = pd.DataFrame(
        {
            "hypothesis": ["HP1", "HP2", "HP3"],
            "round": ["R1", "all", "all"],
            "verdict": ["not supported", "not supported", "rejected"],
            "thesis_verdict": ["supported", "rejected", "rejected"],
        }
    )
    monkeypatch.setattr(narrative, "hp1_conditions", lambda round_id, tables, settings: [])
    text = narrative.findings({"verdicts": verdicts}, {}, ["R1"], [])
    assert "is supported in 0 of 1 rounds (not supported in 1); the thesis finds it in 1" in text
    # HP1 'not supported' differs from the thesis's 'supported'; HP2 agrees (neither accepts it)
    assert "HP2 (Japan's sanctions policy was reactive) is **not supported**, which agrees with the " in text
    assert "HP3 (Japan is a reactive state) is **rejected**, as in the thesis" in text
    assert "Of the 3 verdicts the thesis states that this build can compare, 2 agree." in text


def test_verdict_words_and_agreement_live_in_the_vocabulary():
    from analysis.vocabulary import VERDICT_COLOURS, VERDICTS, verdicts_agree

    assert VERDICTS == ("supported", "not supported", "rejected", "indeterminate")
    assert set(VERDICT_COLOURS) == set(VERDICTS) and len(set(VERDICT_COLOURS.values())) == len(VERDICTS)
    assert verdicts_agree("not supported", "rejected") and verdicts_agree("rejected", "rejected")
    assert not verdicts_agree("not supported", "supported") and not verdicts_agree(
        "indeterminate", "rejected"
    )


def yardstick(japan: list[float], others: dict[str, list[float]]) -> pd.DataFrame:
    from analysis.scores.reactivity import peer_standing

    rows = [
        {"sender": sender, "round": r, "reactivity": v}
        for sender, values in {"JP": japan, **others}.items()
        for r, v in zip(["R1", "R2"], values, strict=True)
    ]
    frame = pd.DataFrame(rows)
    return pd.concat([peer_standing(g) for _, g in frame.groupby("round", sort=False)], ignore_index=True)


def test_yardstick_sentence_reads_japan_against_its_allies_either_way():
    from analysis.present.narrative import reactivity_peers_table, yardstick_sentence

    low = yardstick([0.6, 0.7], {"EU": [0.8, 0.9], "CA": [0.9, 0.8]})
    text = yardstick_sentence(low, ["R1", "R2"])
    assert "beside the European Union and Canada, Japan scores 0.60 in round 1 (rank 3 of 3; " in text
    assert "the allies' median 0.85)" in text and "above the allies' median in 0 of 2 rounds" in text
    assert "Japan is less reactive than the typical ally" in text and "@tbl-reactivity-peers" in text
    high = yardstick([0.9, 0.9], {"EU": [0.5, 0.4], "CA": [0.3, 0.2]})
    assert "Japan is more reactive than the typical ally" in yardstick_sentence(high, ["R1", "R2"])
    table = reactivity_peers_table(low, ["R1", "R2"])
    assert list(table.columns) == ["Sender", "R1 index", "R1 rank", "R2 index", "R2 rank"]
    assert table["Sender"].tolist() == ["Japan", "European Union", "Canada"]
    assert table.loc[0, "R1 rank"] == "3 of 3"


@pytest.mark.parametrize("storage", ["pyarrow", "python"])
def test_measures_of_one_day_are_listed_in_table_order(storage):
    # Enough rows that an unstable sort (pandas' default quicksort) reorders ties; the order of the
    # coded table is the only one that does not depend on pandas' sort algorithm or string storage
    # (pyarrow's sort of text happens to be stable, numpy's quicksort of Python strings is not).
    codes = ["travel_ban", "asset_freeze", "crimea_trade_ban", "arms_embargo", "dual_use_ban", "export_ban"]
    days = ["2014-05-02", "2014-04-28", "2014-07-30"]
    rows = [{"instrument": codes[i % len(codes)], "date": days[(i * 7) % len(days)]} for i in range(60)]
    with pd.option_context("mode.string_storage", storage):
        measures = pd.DataFrame(
            {
                "event_id": [f"JP-{i}" for i in range(60)],
                "sender": "JP",
                "instrument": [r["instrument"] for r in rows],
                "date": [r["date"] for r in rows],
                "date_precision": "day",
                "round": "R2",
                "individuals": 1,
                "entities": None,
                "sources": "silbaum2017",
            }
        )
        text = round_chapter(WINDOW, {**tables(), "measures": measures}, "US")
    listed = text.split("Japan took 60: ", 1)[1].split(".", 1)[0]
    expected = [
        f"{labels.instrument(r['instrument'])} ({date_text(r['date'])})"
        for r in sorted(rows, key=lambda r: r["date"])  # Python's sort is stable: table order within a day
    ]
    assert listed == ", ".join(expected[:-1]) + " and " + expected[-1]
