"""The replication table: each thesis claim beside the pipeline's value, agrees / differs and why."""

from __future__ import annotations

import pandas as pd

from analysis.scores.replication import REPLICATION_COLUMNS, replication_table


def claim(claim_id, kind, table, target, field, value):
    return {"claim_id": claim_id, "kind": kind, "target_table": table, "target_id": target,
            "target_field": field, "value": value, "section": "5. THE 2nd ROUND OF SANCTIONS",
            "paragraph": 2}


TABLES = {
    "measures": pd.DataFrame({
        "event_id": ["JP-a", "JP-b"], "date": ["2014-04-29", "2014-07-28"],
        "date_announced": ["2014-04-29", "2014-07-28"], "date_in_force": [None, "2014-08-05"],
        "individuals": [23, 40], "entities": [None, 2]}),
    "pressure": pd.DataFrame({"pressure_id": ["US-p"], "date": ["2014-07-05"]}),
    "engagements": pd.DataFrame({"engagement_id": ["EN-e"], "date": ["2016-05-06"]}),
    "conflicts": pd.DataFrame({"event_id": ["JP-b"], "field": ["individuals"],
                               "versions": ["silbaum2017=40; hirose2014stimson=41"],
                               "rule": ["prefer_thesis"], "resolved_value": ["40"]}),
    "verdicts": pd.DataFrame({"hypothesis": ["HP1", "HP2"], "round": ["R1", "all"],
                              "verdict": ["rejected", "rejected"], "rule": ["hp1.rule=all_three", "x"],
                              "evidence": ["AI=0.278", "y"]}),
}


def test_each_claim_is_set_beside_the_pipeline_value():
    claims = pd.DataFrame([
        claim("CL-1", "date", "measures", "JP-a", "date", "2014-04"),       # month claim, day value: agrees
        claim("CL-2", "count", "measures", "JP-a", "individuals", "23"),
        claim("CL-3", "count", "measures", "JP-b", "individuals", "41"),     # documents disagree
        claim("CL-4", "date", "measures", "JP-b", "date", "2014-08-05"),     # the in-force stage
        claim("CL-5", "verdict", "verdicts", "HP1:R1", "verdict", "supported"),
        claim("CL-6", "verdict", "verdicts", "HP2:all", "verdict", "rejected"),
        claim("CL-7", "verdict", "verdicts", "HP3:R9", "verdict", "rejected"),
        claim("CL-8", "date", "pressure", "US-p", "date", "2014-07-05"),
        claim("CL-9", "date", "engagements", "EN-missing", "date", "2016-05-06"),
    ])
    table = replication_table(claims, TABLES).set_index("claim_id")
    assert list(table.reset_index().columns) == REPLICATION_COLUMNS
    status = table["status"].to_dict()
    assert status == {"CL-1": "agrees", "CL-2": "agrees", "CL-3": "differs", "CL-4": "differs",
                      "CL-5": "differs", "CL-6": "agrees", "CL-7": "not comparable", "CL-8": "agrees",
                      "CL-9": "not comparable"}
    assert "documents disagree" in table.loc["CL-3", "reason"]
    assert "prefer_thesis kept 40" in table.loc["CL-3", "reason"]
    assert "another stage" in table.loc["CL-4", "reason"]
    assert "AI=0.278" in table.loc["CL-5", "reason"]  # the reason names the numbers the rule read
    assert table.loc["CL-1", "reason"] == ""
    assert table.loc["CL-7", "reason"] == "the round is not in the segmentation in force"
    assert table.loc["CL-9", "reason"] == "no such record in the pipeline's data"
