"""The replication table: each thesis claim beside independent evidence, never beside the thesis itself."""

from __future__ import annotations

import pandas as pd

from analysis.scores.replication import REPLICATION_COLUMNS, judge_against, replication_table


def claim(claim_id, kind, table, target, field, value):
    return {
        "claim_id": claim_id,
        "kind": kind,
        "target_table": table,
        "target_id": target,
        "target_field": field,
        "value": value,
        "section": "5. THE 2nd ROUND OF SANCTIONS",
        "paragraph": 2,
    }


def report(row_id, event, source, date, **extra):
    return {"measure_id": row_id, "event_id": event, "source": source, "date": date, **extra}


TABLES = {
    "measures": pd.DataFrame(
        {
            "event_id": ["JP-a", "JP-b", "JP-c", "US-a"],
            "sender": ["JP", "JP", "JP", "US"],
            "date": ["2014-04-29", "2014-07-28", "2014-09-25", "2014-03-17"],
            "date_announced": ["2014-04-29", "2014-07-28", "2014-09-25", "2014-03-17"],
            "individuals": [23, 40, None, None],
            "entities": [None, 2, None, None],
            "sources": ["silbaum2017;hirose2014stimson", "silbaum2017", "silbaum2017", "silbaum2017"],
            "round": ["R2", "R2", "R3", "R1"],
        }
    ),
    "pressure": pd.DataFrame({"pressure_id": ["US-p", "US-q"], "date": ["2014-07-05", "2014-04-25"]}),
    "engagements": pd.DataFrame({"engagement_id": ["EN-e"], "date": ["2016-05-06"]}),
    "verdicts": pd.DataFrame(
        {
            "hypothesis": ["HP1", "HP2"],
            "round": ["R1", "all"],
            "verdict": ["rejected", "rejected"],
            "rule": ["hp1.rule=all_three", "x"],
            "evidence": ["AI=0.278", "y"],
        }
    ),
    "stringency": pd.DataFrame(
        {
            "sender": ["JP", "US", "JP", "US"],
            "round": ["R1", "R1", "R2", "R2"],
            "stringency_stock": [0.0, 12.5, 25.0, 20.0],
        }
    ),
}
RAW = {
    "measures": pd.DataFrame(
        [
            report("JP-a-sil", "JP-a", "silbaum2017", "2014-04-29", individuals="23"),
            report("JP-a-hir", "JP-a", "hirose2014stimson", "2014-04-29", individuals="23"),
            report("JP-a-kob", "JP-a", "kobayashi2014riac", "2014-03", individuals="23"),
            report("JP-b-sil", "JP-b", "silbaum2017", "2014-07-28", individuals="40"),
            report("JP-b-hir", "JP-b", "hirose2014stimson", "2014-08-05", individuals=""),
            report("JP-c-sil", "JP-c", "silbaum2017", "2014-09-25", individuals=""),
            report("JP-c-shi", "JP-c", "shagina2018isdp", "2014", individuals=""),
        ]
    ),
    "pressure": pd.DataFrame(
        [
            {"pressure_id": "US-p", "event_id": "US-p", "source": "silbaum2017", "date": "2014-07-05"},
            {"pressure_id": "US-q", "event_id": "US-visit", "source": "silbaum2017", "date": "2014-04-25"},
            {
                "pressure_id": "US-q-hir",
                "event_id": "US-visit",
                "source": "hirose2014stimson",
                "date": "2014-04-23",
            },
        ]
    ),
}
WINDOWS = [{"id": "R1", "end": "2014-03-31"}, {"id": "R2", "end": "2014-08-31"}]


def test_claims_are_judged_by_sources_other_than_the_thesis():
    claims = pd.DataFrame(
        [
            claim(
                "CL-1", "date", "measures", "JP-a", "date", "2014-04"
            ),  # Hirose's day agrees, Kobayashi's month not
            claim("CL-2", "count", "measures", "JP-a", "individuals", "23"),  # Hirose and Kobayashi agree
            claim("CL-3", "date", "measures", "JP-b", "date", "2014-07-28"),  # Hirose gives 5 August
            claim("CL-4", "date", "measures", "JP-c", "date", "2014-09-25"),  # only a coarser report
            claim("CL-5", "count", "measures", "JP-b", "individuals", "40"),  # only the thesis states it
            claim("CL-6", "date", "pressure", "US-p", "date", "2014-07-05"),  # only the thesis
            claim("CL-7", "date", "pressure", "US-q", "date", "2014-04-25"),  # the other report of the event
            claim("CL-8", "verdict", "verdicts", "HP1:R1", "verdict", "supported"),
            claim("CL-9", "verdict", "verdicts", "HP2:all", "verdict", "rejected"),
            claim("CL-10", "verdict", "verdicts", "HP3:R9", "verdict", "rejected"),
            claim("CL-11", "date", "engagements", "EN-missing", "date", "2016-05-06"),
            claim("CL-12", "comparison", "stringency", "JP:R1", "mildest_among", "US"),
            claim("CL-13", "comparison", "stringency", "JP:R2", "mildest_among", "US"),
        ]
    )
    table = replication_table(claims, TABLES, RAW, WINDOWS).set_index("claim_id")
    assert list(table.reset_index().columns) == REPLICATION_COLUMNS
    assert table["status"].to_dict() == {
        "CL-1": "differs",
        "CL-2": "agrees",
        "CL-3": "differs",
        "CL-4": "not independently checkable",
        "CL-5": "not independently checkable",
        "CL-6": "not independently checkable",
        "CL-7": "differs",
        "CL-8": "differs",
        "CL-9": "agrees",
        "CL-10": "not comparable",
        "CL-11": "not comparable",
        "CL-12": "not independently checkable",
        "CL-13": "differs",
    }
    assert table.loc["CL-2", "independent_sources"] == "hirose2014stimson;kobayashi2014riac"
    assert "hirose2014stimson=2014-08-05" in table.loc["CL-3", "reason"]
    assert "coarser" in table.loc["CL-4", "reason"]
    assert "disagree among themselves" in table.loc["CL-1", "reason"]
    assert table.loc["CL-13", "independent_sources"] == "hirose2014stimson"  # behind Japan's April ban
    assert table.loc["CL-7", "independent_values"] == "hirose2014stimson=2014-04-23"
    assert "AI=0.278" in table.loc["CL-8", "reason"]
    # No claim agrees on the strength of the thesis alone.
    agreeing = table[table["status"] == "agrees"]
    assert (agreeing["independent_sources"] != "").all()


def test_a_comparison_with_an_independent_source_is_judged_on_the_index():
    measures = TABLES["measures"].assign(sources="silbaum2017;shagina2018isdp")
    tables = TABLES | {"measures": measures}
    claims = pd.DataFrame(
        [
            claim("C1", "comparison", "stringency", "JP:R1", "mildest_among", "US"),
            claim("C2", "comparison", "stringency", "JP:R2", "mildest_among", "US"),
        ]
    )
    table = replication_table(claims, tables, RAW, WINDOWS).set_index("claim_id")
    assert table.loc["C1", "status"] == "agrees"  # JP 0 < US 12.5
    assert table.loc["C2", "status"] == "differs"  # JP 25 > US 20
    assert table.loc["C2", "pipeline_value"] == "US"
    assert table.loc["C1", "independent_sources"] == "shagina2018isdp"


def test_judge_against_by_hand():
    assert judge_against("date", "2014-04-29", [])[0] == "not independently checkable"
    assert judge_against("date", "2014-04-29", [("a", "2014-04-29")]) == ("agrees", "")
    assert judge_against("date", "2014-04", [("a", "2014-04-29")]) == ("agrees", "")
    assert judge_against("date", "2014-04-29", [("a", "2014-04")])[0] == "not independently checkable"
    # A coarser date outside the claimed one contradicts it: Kobayashi's March against 29 April.
    status, reason = judge_against("date", "2014-04-29", [("a", "2014-04-29"), ("kob", "2014-03")])
    assert status == "differs" and "kob=2014-03" in reason
    status, reason = judge_against("count", "23", [("a", "23"), ("b", "30")])
    assert status == "differs" and "b=30" in reason
