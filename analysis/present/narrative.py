"""Markdown the report shows per round, written from the pipeline's tables (never typed numbers)."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from analysis.data.clean import events_once
from analysis.present import labels
from analysis.present.safe import Markdown, md_code, md_doc, md_text
from analysis.vocabulary import (
    FOCAL,
    MAJOR_SENDERS,
    NOT_SUPPORTED,
    PRESSURING,
    REJECTED,
    SENDER_PROSE,
    SUPPORTED,
    TARGET,
    VERDICTS,
    verdicts_agree,
)

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def missing(value: Any) -> bool:
    return value is None or (not isinstance(value, str) and pd.isna(value))


def date_text(iso: Any, precision: Any = "day") -> str:
    """'18 March 2014', 'March 2014' or '2014', as precise as the date is known."""
    if missing(iso):
        return "undated"
    year, month, day = (str(iso).split("-") + ["", ""])[:3]
    if precision == "year" or not month:
        return year
    if precision == "month" or not day:
        return f"{MONTHS[int(month) - 1]} {year}"
    return f"{int(day)} {MONTHS[int(month) - 1]} {year}"


def number(value: Any, digits: int = 2) -> str:
    """A number as the prose shows it; 'n/a' when missing."""
    if missing(value):
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "no"
    value = float(value)
    return f"{value:.0f}" if value.is_integer() and digits >= 0 and abs(value) >= 1 else f"{value:.{digits}f}"


def join_words(items: list[str]) -> str:
    """'a, b and c'. The items are Markdown already: escape data text with `md_text` first."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


_CITE_KEY = re.compile(r"[a-z0-9_-]+", re.ASCII)  # the codebook's pattern of a sources key


def cite(keys: list[str]) -> Markdown:
    """An author-date citation of the given bibliography keys, e.g. '[@silbaum2017; @shagina2018ac]'.

    Only well-formed keys become a citation; anything else is shown as text.
    """
    keys = [k.strip() for k in keys if k and k.strip()]
    if not all(_CITE_KEY.fullmatch(k) for k in keys):
        return Markdown(md_text("; ".join(keys)))
    return Markdown("[" + "; ".join(f"@{k}" for k in keys) + "]" if keys else "")


def section_id(round_id: str) -> str:
    """The heading id of a round's chapter; characters an id cannot hold become '-'."""
    return "sec-round-" + re.sub(r"[^a-z0-9_-]", "-", str(round_id).lower(), flags=re.ASCII)


def pipe_table(frame: pd.DataFrame, caption: str = "", label: str = "") -> str:
    """A pandoc pipe table; with a caption (and optional id) when given."""
    if frame.empty:
        return "*(none in this round)*"

    def cell(value: Any) -> str:
        return md_text(value)

    lines = [
        "| " + " | ".join(cell(c) for c in frame.columns) + " |",
        "|" + "|".join(":---" for _ in frame.columns) + "|",
    ]
    lines += [
        "| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(index=False, name=None)
    ]
    if caption:
        lines += ["", f": {caption}" + (f" {{#{label}}}" if label else "")]
    return "\n".join(lines)


def round_name(round_id: str) -> str:
    """'round 1' for R1; 'the whole period' for the pooled 'all'."""
    text = str(round_id)
    if text == "all":
        return "the whole period"
    return "round " + text[1:] if text[:1] == "R" and text[1:].isdigit() else text


def setting(settings: Mapping[str, Any], key: str) -> str:
    """One coding choice as text; a clear error naming the key when the choices table lacks it."""
    if key not in settings:
        raise KeyError(f"coding choice {key!r} is not in the choices table")
    return str(settings[key])


def _row(frame: pd.DataFrame, **where: str) -> pd.Series | None:
    """The first row whose columns read as `where` says (each cell as text), else None."""
    # A scan, not a boolean mask: the report text looks up some 170 rows of small tables, and a
    # mask costs a pandas operation per column and lookup.
    columns = [frame[column] for column in where]
    wanted = list(where.values())
    if not columns:
        return None if frame.empty else frame.iloc[0]
    for position, values in enumerate(zip(*columns, strict=True)):
        if [str(value) for value in values] == wanted:
            return frame.iloc[position]
    return None


def _float(value: Any) -> float:
    return float("nan") if missing(value) else float(value)


def _cites(*frames: pd.DataFrame) -> list[str]:
    """Every bibliography key in the frames' `cites` columns, once, sorted."""
    keys: set[str] = set()
    for frame in frames:
        if "cites" in frame.columns:
            for value in frame["cites"].dropna():
                keys.update(k.strip() for k in str(value).split(";") if k.strip())
    return sorted(keys)


# ── Verdicts in words ───────────────────────────────────────────────────────────────────────
def hp1_conditions(
    round_id: str, tables: Mapping[str, pd.DataFrame], settings: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """HP1's three conditions in a round: what, value, threshold, whether it holds, and the gap.

    Read from the score tables and the thresholds in force (hp1.pa_margin, hp1.ai_threshold,
    process_tracing.thresholds.supported); `passes` is None when the value is missing. `against` (None
    when missing) says whether the value speaks against HP1 (at or below `against_at`: no move towards
    the US, hp1.ai_against, process_tracing.thresholds.rejected), as hp1.rejection evidence_against reads.
    """
    us = _row(tables["attainment"], round=round_id, actor=PRESSURING)
    influence = _row(tables["influence"], round=round_id)
    post = _row(tables["posteriors"], hypothesis="HP1", round=round_id)
    margin = setting(settings, "hp1.pa_margin")
    if margin == "extensive":
        pa = {
            "what": "Japan's move towards the US position (attainment improvement)",
            "value": _float(None if us is None else us["improvement"]),
            "threshold": 0.0,
            "strict": True,
            "against_at": 0.0,
        }
    else:
        pa = {
            "what": "the share of the US demand Japan met (preference attainment)",
            "value": _float(None if us is None else us["attainment"]),
            "threshold": 0.5,
            "strict": False,
            "against_at": 0.0,
        }
    ai = {
        "what": "attributed US influence",
        "strict": False,
        "value": _float(None if influence is None else influence["influence"]),
        "threshold": float(setting(settings, "hp1.ai_threshold")),
        "against_at": float(setting(settings, "hp1.ai_against")),
    }
    bayes = {
        "what": "the process-tracing posterior of HP1",
        "strict": False,
        "value": _float(None if post is None else post["posterior"]),
        "threshold": float(setting(settings, "process_tracing.thresholds.supported")),
        "against_at": float(setting(settings, "process_tracing.thresholds.rejected")),
    }
    out = []
    for condition in (pa, ai, bayes):
        value, threshold = condition["value"], condition["threshold"]
        passes = (
            None if pd.isna(value) else (value > threshold if condition["strict"] else value >= threshold)
        )
        against = None if pd.isna(value) else bool(value <= condition["against_at"])
        out.append(
            {
                **condition,
                "passes": passes,
                "against": against,
                "gap": None if pd.isna(value) else threshold - value,
            }
        )
    return out


def _condition_words(condition: Mapping[str, Any]) -> str:
    value, threshold = condition["value"], condition["threshold"]
    need = "must exceed" if condition["strict"] else "must reach"
    rule = (
        "it must be positive" if condition["strict"] and threshold == 0 else f"it {need} {number(threshold)}"
    )
    if condition["passes"] is None:
        return f"{condition['what']} could not be computed"
    if condition["passes"]:
        return f"{condition['what']} is {number(value)} ({rule})"
    return f"{condition['what']} is {number(value)}, {number(condition['gap'])} short ({rule})"


def hp1_sentence(
    round_id: str, verdict: str, conditions: list[dict[str, Any]], settings: Mapping[str, Any]
) -> str:
    """Which condition decided HP1 in a round, its value and threshold, in words."""
    failed = [c for c in conditions if c["passes"] is False]
    held = [c for c in conditions if c["passes"] is True]
    rule = setting(settings, "hp1.rule")
    rule_words = {
        "all_three": "all three conditions must hold",
        "majority_of_three": "two of the three conditions must hold",
        "bayes_only": "the posterior alone decides",
        "influence_only": "combined influence alone decides",
    }.get(rule, rule)
    text = f"In {round_name(round_id)}, HP1 is **{verdict}** (rule in force: {rule_words}). "
    if failed:
        text += "It fails because " + join_words([_condition_words(c) for c in failed]) + ". "
    if held:
        text += "It meets the other condition" + ("s" if len(held) > 1 else "") + ": "
        text += "; ".join(_condition_words(c) for c in held) + ". "
    # the conditions the rule in force reads (hp1_arrays)
    read = {"bayes_only": conditions[2:], "influence_only": conditions[:2]}.get(rule, conditions)
    against = [c for c in read if c["against"]]
    if verdict == REJECTED and against:
        text += (
            "It is rejected, not merely not supported, because the evidence speaks against HP1: "
            + join_words([f"{c['what']} is at or below {number(c['against_at'])}" for c in against])
            + "."
        )
    elif verdict in (REJECTED, NOT_SUPPORTED) and failed:
        text += (
            "No condition speaks against HP1 (none is at or below the value at which it would: "
            + join_words(
                [f"{number(c['against_at'])} for {c['what']}" for c in read if c["against"] is False]
            )
            + "), so the verdict means that HP1 is not established, not that the evidence refutes it"
            + ("" if verdict == NOT_SUPPORTED else " (hp1.rejection any_miss rejects every miss)")
            + "."
        )
    return text.strip()


def hp2_sentence(tables: Mapping[str, pd.DataFrame], settings: Mapping[str, Any], rounds: list[str]) -> str:
    """HP2 in words: each round's reactivity against the threshold, and the rule that counts them."""
    threshold = float(setting(settings, "reactivity.threshold"))
    reactivity, verdict = tables["reactivity"], _row(tables["verdicts"], hypothesis="HP2")
    parts = []
    reactive = 0
    for round_id in rounds:
        row = _row(reactivity, round=round_id)
        if row is None:
            continue
        value = _float(row["reactivity"])
        is_reactive = not pd.isna(value) and value >= threshold
        reactive += is_reactive
        parts.append(
            f"{round_name(round_id)} scores {number(value)} ("
            + ("reactive" if is_reactive else "not reactive")
            + ": responded to pressure "
            f"{number(row['responded_within_window'])}, not a first mover "
            f"{number(row['not_first_mover'])}, incompleteness {number(row['incompleteness'])})"
        )
    rule = setting(settings, "reactivity.hp2_rule")
    need = "a majority of" if rule == "majority" else "all"
    words = "**" + (str(verdict["verdict"]) if verdict is not None else "not computed") + "**"
    peers = tables.get("reactivity_peers")
    return (
        f"HP2 is {words}: on the reactivity index (a round is reactive at or above "
        f"{number(threshold)}), " + join_words(parts) + f". {reactive} of {len(parts)} rounds are "
        f"reactive, and the rule in force needs {need} rounds. "
        + ("" if peers is None else yardstick_sentence(peers, rounds))
    )


def yardstick_sentence(peers: pd.DataFrame, rounds: list[str]) -> str:
    """Japan's reactivity beside its allies' on the same index (reactivity_peers.csv), in words: its
    rank, the others' median and how many rounds it stands above them. Context: HP2's rule reads
    Japan's index against the fixed threshold, not against the allies."""
    japan = peers[peers["sender"].astype(str) == FOCAL]
    parts, above, compared = [], 0, 0
    for round_id in rounds:
        row = _row(japan, round=round_id)
        if row is None or pd.isna(_float(row["reactivity"])):
            continue
        others = peers[(peers["round"].astype(str) == round_id) & (peers["sender"].astype(str) != FOCAL)]
        scored = others["reactivity"].astype(float).dropna()
        if scored.empty:
            continue
        compared += 1
        median = float(scored.median())
        above += _float(row["reactivity"]) > median
        parts.append(
            f"{number(row['reactivity'])} in {round_name(round_id)} (rank {number(row['rank'], 0)} of "
            f"{number(row['n_ranked'], 0)}; the allies' median {number(median)})"
        )
    if not parts:
        return (
            "No ally has a measure the yardstick can score, so Japan's reactivity has no peer to be "
            "read against."
        )
    allies = [SENDER_PROSE.get(s, s) for s in dict.fromkeys(peers["sender"].astype(str)) if s != FOCAL]
    return (
        "Read against its allies on the components every sender can be scored on (responding to the "
        "US pressure acts within the window and not moving first; US demands, behind incompleteness, "
        f"are coded for Japan only), beside {join_words(allies)}, Japan scores "
        + join_words(parts)
        + f": above the allies' median in {above} of {compared} rounds"
        + ", so on this yardstick Japan is "
        + ("less" if above * 2 < compared else "more" if above * 2 > compared else "as")
        + (" reactive than" if above * 2 != compared else " reactive as")
        + " the typical ally."
        + " The verdict's rule reads Japan's index against the fixed threshold, not against the allies; "
        "the yardstick is context (@tbl-reactivity-peers)."
    )


def reactivity_peers_table(peers: pd.DataFrame, rounds: list[str]) -> pd.DataFrame:
    """Each sender's reactivity index on the shared components per round, its rank among the senders
    scored, and its ratio to the median of the others (Japan first)."""
    order = list(dict.fromkeys(peers["sender"].astype(str)))
    rows = []
    for sender in order:
        mine = peers[peers["sender"].astype(str) == sender]
        row: dict[str, Any] = {"Sender": labels.sender(sender)}
        for round_id in rounds:
            hit = _row(mine, round=round_id)
            row[f"{round_id} index"] = None if hit is None else _float(hit["reactivity"])
            row[f"{round_id} rank"] = (
                ""
                if hit is None or pd.isna(_float(hit["rank"]))
                else f"{number(hit['rank'], 0)} of {number(hit['n_ranked'], 0)}"
            )
        rows.append(row)
    return pd.DataFrame(rows)


def hp3_sentence(tables: Mapping[str, pd.DataFrame], settings: Mapping[str, Any], rounds: list[str]) -> str:
    """HP3 in words: Calder's two criteria per round and the aggregation in force."""
    reactivity, verdict = tables["reactivity"], _row(tables["verdicts"], hypothesis="HP3")
    initiatives, second, both = [], 0, 0
    for round_id in rounds:
        row = _row(reactivity, round=round_id)
        if row is None:
            continue
        initiatives.append(f"{number(row['independent_initiatives'], 0)} in {round_name(round_id)}")
        c1 = str(row["criterion1"]).lower() == "true"
        c2 = str(row["criterion2"]).lower() == "true"
        second += c2
        both += c1 and c2
    words = "**" + (str(verdict["verdict"]) if verdict is not None else "not computed") + "**"
    return (
        f"HP3 is {words}. Calder's first criterion (the state takes no independent initiative) "
        f"fails wherever Japan took independent steps towards Russia: "
        + join_words(initiatives)
        + f". The second (it responds to pressure, incompletely) holds in "
        f"{second} of {len(initiatives)} rounds, and both hold together in {both}; the aggregation "
        f"in force is {setting(settings, 'reactive_state.aggregation').replace('_', ' ')}."
    )


def pooled_reconciliation(
    tables: Mapping[str, pd.DataFrame], settings: Mapping[str, Any], rounds: list[str]
) -> str:
    """Why HP1's pooled posterior and its per-round verdicts can differ, with the numbers."""
    posteriors, verdicts = tables["posteriors"], tables["verdicts"]
    pooled = _row(posteriors, hypothesis="HP1", round="all")
    if pooled is None:
        return ""
    per_round = [_row(posteriors, hypothesis="HP1", round=r) for r in rounds]
    per_round = [r for r in per_round if r is not None]
    supported = int(
        (
            (verdicts["hypothesis"] == "HP1")
            & (verdicts["round"].astype(str) != "all")
            & (verdicts["verdict"] == "supported")
        ).sum()
    )
    ai = [_row(tables["influence"], round=r) for r in rounds]
    ai_values = [number(row["influence"]) for row in ai if row is not None]
    cut = float(setting(settings, "process_tracing.thresholds.supported"))
    passing = [round_name(r["round"]) for r in per_round if _float(r["posterior"]) >= cut]
    return (
        f"HP1's pooled posterior, {number(pooled['posterior'])} over all "
        f"{number(pooled['n_items'], 0)} evidence items, is marked {pooled['verdict']} in "
        f"@fig-posteriors, while HP1 holds in {supported} of {len(per_round)} rounds. The two "
        "answer different questions. The pooled figure is process tracing alone: its log-odds, "
        f"{number(pooled['log_odds'])}, add up the evidence of every round ("
        + join_words([number(r["log_odds"]) for r in per_round])
        + " from a prior of "
        f"{number(pooled['prior'])}), so one round's strong evidence can outweigh the others' weak "
        f"contrary evidence. A round's verdict needs its own posterior to reach {number(cut)}, "
        "which " + (join_words(passing) if passing else "no round") + " reaches, and attributed "
        f"influence to reach {number(float(setting(settings, 'hp1.ai_threshold')))}, which no "
        "round's (" + join_words(ai_values) + ") does under the rule in force."
    )


def findings(
    tables: Mapping[str, pd.DataFrame],
    settings: Mapping[str, Any],
    rounds: list[str],
    out_of_sample: Sequence[str] = (),
) -> str:
    """The findings in a paragraph: each verdict beside the thesis's, computed, never typed. `rounds` are
    the thesis's (in-sample) rounds; the out-of-sample ones get a sentence of their own."""
    verdicts = tables["verdicts"]
    hp1 = verdicts[(verdicts["hypothesis"] == "HP1") & verdicts["round"].astype(str).isin(rounds)]
    supported = int((hp1["verdict"] == "supported").sum())
    thesis_hp1 = int((hp1["thesis_verdict"].astype(str) == "supported").sum())
    hp2, hp3 = _row(verdicts, hypothesis="HP2"), _row(verdicts, hypothesis="HP3")
    compared = verdicts[verdicts["thesis_verdict"].notna() & (verdicts["thesis_verdict"].astype(str) != "")]
    agree = sum(
        verdicts_agree(v, t) for v, t in zip(compared["verdict"], compared["thesis_verdict"], strict=True)
    )

    def phrase(row: pd.Series | None, name: str) -> str:
        if row is None:
            return f"{name} is not computed"
        thesis = "" if missing(row["thesis_verdict"]) else str(row["thesis_verdict"])
        verdict = str(row["verdict"])
        if thesis == verdict:
            same = "as in the thesis"
        elif verdicts_agree(verdict, thesis):
            same = f"which agrees with the thesis ({thesis}) that it does not hold"
        else:
            same = f"where the thesis finds it {thesis}"
        return f"{name} ({labels.HYPOTHESES[name]}) is **{verdict}**, {same}"

    failing = {}
    for round_id in rounds:
        for condition in hp1_conditions(round_id, tables, settings):
            if condition["passes"] is False:
                failing.setdefault(condition["what"], []).append(round_name(round_id))
    reasons = join_words(
        [f"{what} misses its threshold in {join_words(where)}" for what, where in failing.items()]
    )
    others = [
        f"{word} in {count}"
        for word in VERDICTS
        if word != SUPPORTED and (count := int((hp1["verdict"].astype(str) == word).sum()))
    ]
    return (
        f"Under the coding choices in force, HP1 ({labels.HYPOTHESES['HP1']}) is supported "
        f"in {supported} of {len(hp1)} rounds"
        + (f" ({join_words(others)})" if others else "")
        + f"; the thesis finds it in {thesis_hp1}. "
        + (f"It fails because {reasons}. " if reasons else "")
        + phrase(hp2, "HP2")
        + "; "
        + phrase(hp3, "HP3")
        + f". Of the {len(compared)} verdicts "
        f"the thesis states that this build can compare, {agree} agree{'s' if agree == 1 else ''}."
        + "".join(_out_of_sample_finding(verdicts, r) for r in out_of_sample)
    )


def _out_of_sample_finding(verdicts: pd.DataFrame, round_id: str) -> str:
    """One sentence on the verdicts of a round the thesis never saw."""
    said = []
    for hypothesis in ("HP1", "HP2", "HP3"):
        row = _row(verdicts, hypothesis=hypothesis, round=round_id)
        if row is not None:
            said.append(f"{hypothesis} is **{row['verdict']}**")
    if not said:
        return ""
    return f" Out of sample, in {round_name(round_id)}, {join_words(said)}."


# ── Where and why the report differs from the thesis ────────────────────────────────────────
# Alternative explanations the documents raise, found in the coders' notes of attribution and
# evidence rows (display only: the scores use the coded cause, not these themes).
ALTERNATIVE_THEMES = {
    "energy needs": r"energy|nuclear|LNG|\bgas\b",
    "the territorial talks with Russia": r"territorial talks|island dispute|Northern Territor|"
    r"rapprochement|peace treaty",
    "North Korea": r"North Korea",
    "not isolating Russia": r"isolat|Sino-Russian",
}


def _statement_summary(rows: pd.DataFrame) -> str:
    if rows.empty:
        return "none"
    by_cause = rows.groupby(rows["cause"].astype(str)).size().sort_values(ascending=False, kind="stable")
    return join_words([f"{n} naming {labels.label(labels.CAUSES, cause)}" for cause, n in by_cause.items()])


def _hp1_drivers(
    round_id: str,
    tables: Mapping[str, pd.DataFrame],
    conditions: list[dict[str, Any]],
    settings: Mapping[str, Any],
) -> tuple[str, str]:
    """(the rows that drive a failed HP1 verdict, what would have to change), in words."""
    attributions, weights = tables["attributions"], tables["evidence_weights"]
    evidence = tables["evidence"].set_index("evidence_id")
    drivers, changes = [], []
    for condition in conditions:
        if condition["passes"] is not False:
            continue
        if condition["what"] == "attributed US influence":
            own = attributions[attributions["round"].astype(str) == round_id]
            pooled = attributions[attributions["round"].astype(str) == "all"]
            drivers.append(
                f"attributed influence averages {len(own)} statement(s) dated to "
                f"{round_name(round_id)} ({_statement_summary(own)}) and {len(pooled)} undated "
                f"one(s) about the whole period ({_statement_summary(pooled)}); statements "
                "that name another cause add nothing to US influence"
            )
            changes.append(
                f"attributed influence would have to rise by {number(condition['gap'])} to "
                f"{number(condition['threshold'])}: for example, statements now coded as naming "
                "Japan's own interests, G7 coordination or the territorial norm would have to "
                "be read as crediting US pressure, or further documents would have to credit "
                "it strongly"
            )
        elif condition["what"].startswith("the process-tracing posterior"):
            items = weights[
                (weights["hypothesis"].astype(str) == "HP1")
                & (weights["round"].astype(str) == round_id)
                & weights["counted"].astype(str).str.lower().eq("true")
            ]
            against = items.sort_values("weight_db", kind="stable").head(3)
            against = against[against["weight_db"] < 0]
            listed = [
                f"{labels.short(evidence.loc[r.evidence_id, 'observation'], 70)} "
                f"({labels.label(labels.TEST_TYPES, r.test_type)}, {number(r.weight_db, 1)} dB)"
                for r in against.itertuples()
                if r.evidence_id in evidence.index
            ]
            if listed:
                drivers.append(
                    "the process-tracing items weighing most against HP1 are: " + "; ".join(listed)
                )
            post = _row(tables["posteriors"], hypothesis="HP1", round=round_id)
            if post is not None:
                target = math.log(condition["threshold"] / (1 - condition["threshold"]))
                needed_db = 10 / math.log(10) * (target - float(post["log_odds"]))
                strongest = weights.loc[weights["hypothesis"].astype(str) == "HP1", "weight_db"].max()
                changes.append(
                    f"the posterior would need {number(needed_db, 1)} dB more counted evidence "
                    f"for HP1 (the strongest single HP1 item in the data weighs "
                    f"{number(strongest, 1)} dB)"
                )
        else:
            changes.append(f"{condition['what']} would have to rise by {number(condition['gap'])}")
    return "; ".join(drivers), "; and ".join(changes)


def discussion(tables: Mapping[str, pd.DataFrame], settings: Mapping[str, Any], rounds: list[str]) -> str:
    """Every verdict that differs from the thesis: its reasoning, the measure, the rows, the change."""
    replication, claims = tables["replication"], tables["thesis_claims"].set_index("claim_id")
    differ = replication[
        (replication["kind"].astype(str) == "verdict") & (replication["status"].astype(str) == "differs")
    ]
    if differ.empty:
        return "Every verdict the thesis states and this build can compare agrees with the pipeline's."
    parts = []
    for row in differ.itertuples():
        hypothesis, _, round_id = str(row.target_id).partition(":")
        claim = claims.loc[row.claim_id] if row.claim_id in claims.index else None
        where = f"§{str(row.section).split(' ')[0].rstrip('.')}, paragraph {number(row.paragraph, 0)}"
        # the coder's note, without its "Round 1 result:" / "Conclusion:" lead-in
        reasoning = "" if claim is None else re.sub(r"^[^:]{1,30}:\s*", "", str(claim["note"])).rstrip(".")
        title = f"{hypothesis} in {round_name(round_id)}" if round_id != "all" else f"{hypothesis}"
        parts += [
            f"## {title}",
            "",
            f"**The thesis** finds {hypothesis} {row.thesis_value} [@silbaum2017, {where}]. Its "
            f"reasoning, in paraphrase: {reasoning}.",
            "",
        ]
        if hypothesis == "HP1":
            conditions = hp1_conditions(round_id, tables, settings)
            drivers, changes = _hp1_drivers(round_id, tables, conditions, settings)
            parts += [
                "**The measure that disagrees.** "
                + hp1_sentence(round_id, str(row.pipeline_value), conditions, settings),
                "",
                f"**The rows that drive it.** {drivers[:1].upper() + drivers[1:]}." if drivers else "",
                "",
                f"**What would have to change** for the thesis's verdict to hold: {changes}."
                if changes
                else "",
                "",
            ]
        elif hypothesis == "HP2":
            threshold = float(setting(settings, "reactivity.threshold"))
            reactive = tables["reactivity"]
            gaps = [
                f"{round_name(r.round)} would have to fall by {number(float(r.reactivity) - threshold)}"
                for r in reactive.itertuples()
                if _float(r.reactivity) >= threshold and str(r.round) in rounds
            ]
            parts += [
                f"**The measure that disagrees.** {hp2_sentence(tables, settings, rounds)}",
                "",
                "**The rows that drive it.** In the reactive rounds a Japanese measure followed "
                "every or nearly every coded US pressure act within the window, and Japan moved "
                "first rarely; these are the pressure and measure rows of the round chapters.",
                "",
                "**What would have to change** for the thesis's verdict to hold: the reactivity of "
                "enough rounds would have to fall below the threshold to lose the majority ("
                + join_words(gaps)
                + "), or the index would have to count the thesis's reading "
                "of deliberate mildness more heavily than the timing components.",
                "",
            ]
        elif hypothesis == "HP3":
            parts += [f"**The measure that disagrees.** {hp3_sentence(tables, settings, rounds)}", ""]
    parts += ["## Alternative explanations the documents raise", "", alternatives(tables)]
    return "\n".join(p for p in parts if p is not None)


def alternatives(tables: Mapping[str, pd.DataFrame]) -> str:
    """Each alternative explanation: how many statements and items raise it, by whom, how strongly."""
    attributions, evidence = tables["attributions"], tables["evidence"]
    weights = tables["evidence_weights"].set_index(["evidence_id", "hypothesis"])
    ladder = {"none": 0, "minor": 1, "substantial": 2, "decisive": 3}
    us = attributions[attributions["cause"].astype(str) == "us_pressure"]
    lines = [
        f"The attribution rows credit US pressure in {len(us)} statement(s) and name another cause "
        f"in {int((~attributions['cause'].astype(str).isin(['us_pressure', 'mixed'])).sum())}. "
        "Each alternative the documents raise, weighed from the rows that raise it:",
        "",
    ]
    for theme, pattern in ALTERNATIVE_THEMES.items():
        regex = re.compile(pattern, re.I)
        rows = attributions[attributions["note"].astype(str).str.contains(regex)]
        items = evidence[
            (evidence["observation"].astype(str) + " " + evidence["note"].astype(str)).str.contains(regex)
        ]
        if rows.empty and items.empty:
            lines.append(f"- **{theme[:1].upper() + theme[1:]}**: no coded row raises it.")
            continue
        strength = [ladder.get(str(s), 0) for s in rows["strength"]]
        speakers = sorted({labels.label(labels.ATTRIBUTOR_TYPES, t) for t in rows["attributor_type"]})
        docs = sorted(set(rows["source"].astype(str)) | set(items["source"].astype(str)))
        text = (
            f"- **{theme[:1].upper() + theme[1:]}**: {len(rows)} statement(s) ("
            + _statement_summary(rows)
            + ")"
            + (f", from {join_words([md_text(s) for s in speakers])}" if speakers else "")
            + (
                f", mostly of {'substantial' if sum(strength) / len(strength) >= 1.5 else 'minor'} strength"
                if strength
                else ""
            )
        )
        hp1_items = [weights.loc[(e, "HP1")] for e in items["evidence_id"] if (e, "HP1") in weights.index]
        if hp1_items:
            net = sum(float(w["weight_db"]) for w in hp1_items if str(w["counted"]).lower() == "true")
            text += (
                f"; {len(hp1_items)} HP1 evidence item(s) touch on it, net {number(net, 1)} dB for HP1"
                " (negative means against US pressure)"
            )
        lines.append(text + " " + cite(docs) + ".")
    lines += [
        "",
        "None of these alternatives enters the scores as a separate hypothesis: each lowers "
        "attributed influence only through the statements that name it, and the process-tracing "
        "items test them as rivals to HP1.",
    ]
    return "\n".join(lines)


# ── Round chapters ──────────────────────────────────────────────────────────────────────────
def measures_in_round(measures: pd.DataFrame, round_id: str, senders: list[str]) -> pd.DataFrame:
    """The round's measures of the named senders as a display table, in date order."""
    rows = measures[
        (measures["round"].astype(str) == round_id) & measures["sender"].astype(str).isin(senders)
    ].sort_values(["date", "event_id"])
    return pd.DataFrame(
        {
            "Date": [date_text(d, p) for d, p in zip(rows["date"], rows["date_precision"], strict=True)],
            "Sender": [labels.sender(s) for s in rows["sender"]],
            "Instrument": [labels.instrument(i) for i in rows["instrument"]],
            "Persons": [number(v, 0) if not missing(v) else "" for v in rows["individuals"]],
            "Entities": [number(v, 0) if not missing(v) else "" for v in rows["entities"]],
            "Reported by": [
                cite(str(s).split(";") + ([] if missing(c) else str(c).split(";")))
                for s, c in zip(
                    rows["sources"], rows.get("cites", pd.Series([None] * len(rows))), strict=True
                )
            ],
        }
    )


def with_measure_cites(measures: pd.DataFrame, reports: pd.DataFrame) -> pd.DataFrame:
    """The cleaned measures with a `cites` column: every primary source any report of the measure
    cites (the raw table has one row per report; the clean table keeps the seed keys only)."""
    keys: dict[str, set[str]] = {}
    for event, cites in zip(reports["event_id"].astype(str), reports["cites"], strict=True):
        if not missing(cites):
            keys.setdefault(event, set()).update(k.strip() for k in str(cites).split(";") if k.strip())
    out = measures.copy()
    out["cites"] = [";".join(sorted(keys[e])) if e in keys else None for e in out["event_id"].astype(str)]
    return out


def pressure_in_round(pressure: pd.DataFrame, round_id: str) -> pd.DataFrame:
    """The round's US pressure acts, each cited to the primary source its row rests on (if any)."""
    rows = pressure[pressure["round"].astype(str) == round_id].sort_values(["date", "pressure_id"])
    cites_column = (
        rows["cites"] if "cites" in rows.columns else pd.Series([None] * len(rows), index=rows.index)
    )
    return pd.DataFrame(
        {
            "Date": [date_text(d, p) for d, p in zip(rows["date"], rows["date_precision"], strict=True)],
            "Actor": rows["actor"].astype(str).tolist(),
            "Channel": [labels.label(labels.CHANNELS, c) for c in rows["channel"]],
            "Form": [labels.label({}, f) for f in rows["form"]],
            "Intensity": [number(v, 0) for v in rows["intensity"]],
            "Reported by": [
                cite([str(s)] + ([] if missing(c) else str(c).split(";")))
                for s, c in zip(rows["source"], cites_column, strict=True)
            ],
        }
    )


def _groups_present(by_type: pd.DataFrame | None, round_id: str) -> dict[str, list[str]]:
    """The attributor groups (ego, alter, researcher) with coded statements in the round, and the
    types in each, so a sentence names only groups that are coded."""
    if by_type is None:
        return {group: types for group, types in labels.ATTRIBUTOR_GROUPS.items()}
    present = set(by_type.loc[by_type["round"].astype(str) == round_id, "attributor_type"].astype(str))
    return {
        group: [t for t in types if t in present]
        for group, types in labels.ATTRIBUTOR_GROUPS.items()
        if present & set(types)
    }


def round_chapter(
    window: Mapping[str, str],
    tables: Mapping[str, pd.DataFrame],
    leader: str,
    settings: Mapping[str, Any] | None = None,
) -> str:
    """The chapter of one round: measures, pressure, attributions, attainment, evidence, verdict.

    Optional tables: `by_type` (attributor types present), `attributions`, `evidence`,
    `engagements` (their `cites` are cited as the round's primary sources). With `settings` (the
    coding choices), the verdict section says which condition decided it.
    """
    round_id = window["id"]
    measures, pressure = tables["measures"], tables["pressure"]
    in_round = measures[measures["round"].astype(str) == round_id]
    japan = in_round[in_round["sender"].astype(str) == FOCAL].sort_values("date", kind="stable")
    acts = events_once(pressure[pressure["round"].astype(str) == round_id], "pressure_id")
    direct = int((acts["channel"].astype(str) == "direct").sum())

    japan_steps = [
        md_text(f"{labels.instrument(r.instrument)} ({date_text(r.date, r.date_precision)})")
        for r in japan.itertuples()
    ]
    senders = sorted(set(in_round["sender"].astype(str)) - {FOCAL})
    parts = [f"# {md_text(window['label'])} {{#{section_id(round_id)}}}", ""]
    opening = (
        f"Between {md_text(date_text(window['start']))} and {md_text(date_text(window['end']))} the "
        f"coded documents report {len(in_round)} measure(s); Japan took {len(japan)}"
        + (f": {join_words(japan_steps)}." if japan_steps else ".")
        + (
            f" Measures by {join_words([md_text(labels.sender(s)) for s in senders])} fall in the same "
            "window."
            if senders
            else ""
        )
    )
    in_round_rows = [
        frame[frame["round"].astype(str) == round_id]
        for name in ("measures", "pressure", "attributions", "evidence", "engagements")
        if (frame := tables.get(name)) is not None and "round" in frame.columns
    ]
    primary = _cites(*in_round_rows)
    if primary:
        opening += (
            " Beyond the five documents, this round's rows rest on these primary and secondary "
            f"sources: {cite(primary)}."
        )
    parts += [
        opening,
        "",
        "## What Japan, the United States and the European Union did",
        "",
        pipe_table(measures_in_round(measures, round_id, list(MAJOR_SENDERS))),
        "",
    ]

    parts += [
        "## US pressure on Japan",
        "",
        f"The documents report {len(acts)} act(s) of US pressure on Japan in this round, "
        f"{direct} of them direct and {len(acts) - direct} indirect.",
        "",
        pipe_table(pressure_in_round(pressure, round_id)),
        "",
    ]

    influence = _row(tables["influence"], round=round_id)
    if influence is not None:
        attributions = tables.get("attributions")
        counted = ""
        if attributions is not None:
            own = int((attributions["round"].astype(str) == round_id).sum())
            pooled = int((attributions["round"].astype(str) == "all").sum())
            counted = (
                f" ({own} dated to this round and {pooled} undated ones about the whole period, "
                "which enter every round)"
            )
        groups = _groups_present(tables.get("by_type"), round_id)
        means = [
            f"{join_words([labels.label(labels.ATTRIBUTOR_TYPES, t) for t in types])} "
            f"{number(influence[group])}"
            for group, types in groups.items()
            if group in influence.index and not missing(influence[group])
        ]
        parts += [
            "## Attributed influence",
            "",
            f"Weighing {number(influence['n_statements'], 0)} statement-and-cause row(s){counted} "
            f"from {number(influence['n_sources'], 0)} document(s), each document's statements "
            f"averaged first ({labels.label({}, influence['aggregation'])}), gives an attributed US "
            f"influence of {number(influence['influence'])} on a scale from none (0) to decisive "
            "(1)." + (" By who speaks, the means are: " + "; ".join(means) + "." if means else ""),
            "",
        ]

    attainment = tables["attainment"]
    us, jp = _row(attainment, round=round_id, actor=PRESSURING), _row(attainment, round=round_id, actor=FOCAL)
    if us is not None and jp is not None:
        parts += [
            "## Preference attainment",
            "",
            f"On the stringency scale (0 to 1), Japan moved from {number(us['reversion'])} to "
            f"{number(us['outcome'])} against a US ideal point of {number(us['ideal'])}. The "
            f"{labels.label({}, us['measure'])} attainment of the United States is "
            f"{number(us['attainment'])} (interval {number(us['lower'])} to {number(us['upper'])}); "
            f"Japan's, measured against its own signalled position of {number(jp['ideal'])}, is "
            f"{number(jp['attainment'])} (interval {number(jp['lower'])} to {number(jp['upper'])}).",
            "",
        ]

    weights = tables["evidence_weights"]
    items = weights[weights["round"].astype(str) == round_id]
    posteriors = tables["posteriors"]
    lines = []
    for hypothesis in sorted(set(items["hypothesis"].astype(str))):
        post = _row(posteriors, hypothesis=hypothesis, round=round_id)
        mine = items[items["hypothesis"].astype(str) == hypothesis]
        if post is not None:
            counted_mask = mine["counted"].astype(str).str.lower() == "true"
            lines.append(
                f"- {hypothesis}: {len(mine)} item(s), net weight "
                f"{number(mine.loc[counted_mask, 'weight_db'].sum(), 1)} dB, "
                f"posterior {number(post['posterior'])} ({md_text(post['verdict'])})."
            )
    parts += [
        "## Evidence and its weight",
        "",
        f"The round holds {len(items)} process-tracing item(s) dated within its window."
        + (" By hypothesis:" if lines else ""),
        "",
        *lines,
        "",
    ]

    verdict = _row(tables["verdicts"], hypothesis="HP1", round=round_id)
    if verdict is not None:
        thesis = verdict.get("thesis_verdict")
        agreement = (
            ""
            if missing(thesis) or not str(thesis)
            else f" The thesis finds HP1 {md_text(thesis)} in this round; the pipeline "
            + (
                "agrees."
                if str(thesis) == str(verdict["verdict"])
                else "agrees that HP1 does not hold here."
                if verdicts_agree(verdict["verdict"], thesis)
                else "does not (see the discussion chapter)."
            )
        )
        if settings is not None:
            body = hp1_sentence(
                round_id, str(verdict["verdict"]), hp1_conditions(round_id, tables, settings), settings
            )
        else:
            body = (
                f"HP1 is **{md_text(verdict['verdict'])}** in this round. It read "
                f"{md_text(verdict['evidence'])}."
            )
        parts += ["## Verdict on HP1", "", body + agreement, ""]
    return "\n".join(parts)


# ── Methods ─────────────────────────────────────────────────────────────────────────────────
def formulas_markdown(blocks: list[tuple[str, Mapping[str, str], Mapping[str, tuple[str, str]]]]) -> str:
    """Each formula after its human label and the sentence that says what it measures and why."""
    lines: list[str] = []
    for title, formulas, descriptions in blocks:
        lines += [f"### {title}", ""]
        for name, latex in formulas.items():
            label, sentence = descriptions.get(name, (name.replace("_", " "), ""))
            lines += [f"**{label}.** {sentence}", "", f"$$ {latex} $$", ""]
    return "\n".join(lines)


KEY_CHOICES = [
    "rounds.segmentation",
    "comparison.leader",
    "stringency.weights",
    "stringency.basis",
    "preference_attainment.measure",
    "attributed_influence.aggregation",
    "attributed_influence.competing_causes",
    "process_tracing.prior",
    "process_tracing.dependence",
    "hp1.rule",
    "hp1.pa_margin",
    "hp1.ai_threshold",
    "process_tracing.thresholds.supported",
    "reactivity.threshold",
    "reactivity.hp2_rule",
    "reactive_state.aggregation",
]


def first_sentence(text: Any) -> str:
    """The first sentence of a description (up to its first full stop or semicolon)."""
    text = "" if missing(text) else " ".join(str(text).split())
    head = re.split(r"(?<=[a-z)])\. |; ", text, maxsplit=1)[0]
    return head.rstrip(".") + "."


def key_choices(choices: pd.DataFrame) -> str:
    """The choices that decide the verdicts, each once, as a compact list."""
    by_key = choices.set_index("key")
    lines = []
    for key in KEY_CHOICES:
        if key in by_key.index:
            row = by_key.loc[key]
            lines.append(
                f"- {md_code(key)} = {md_code(row['value'])}: {md_doc(first_sentence(row['description']))}"
            )
    return "\n".join(lines)


def choices_table(choices: pd.DataFrame) -> pd.DataFrame:
    """Every choice in force, keys that share one description merged into one row (said once)."""
    shown = choices[
        ~choices["key"].astype(str).str.contains(r"weight_sets|definitions|profiles|type_weight_sets")
    ].copy()
    shown["description"] = shown["description"].map(first_sentence)
    rows, seen = [], {}
    for row in shown.itertuples():
        if row.description in seen and row.description:
            entry = rows[seen[row.description]]
            entry["Key"] += ", " + str(row.key).rsplit(".", 1)[-1]
            entry["Value"] += ", " + str(row.value)
            continue
        seen[row.description] = len(rows)
        rows.append({"Key": str(row.key), "Value": str(row.value), "What it decides": row.description})
    return pd.DataFrame(rows, columns=["Key", "Value", "What it decides"])


# ── Tables of the report ────────────────────────────────────────────────────────────────────
def allies_table(stringency: pd.DataFrame, rounds: list[str], leader: str) -> pd.DataFrame:
    """Each sender's stringency per round and its ratio to the leader's, with human names."""
    value = "stringency_stock" if "stringency_stock" in stringency.columns else "stringency"
    wide = stringency.pivot_table(index="sender", columns="round", values=value, aggfunc="first")
    wide = wide.reindex(columns=rounds)
    order = [s for s in labels.SENDERS if s in wide.index] + sorted(set(wide.index) - set(labels.SENDERS))
    rows = []
    for sender in order:
        row: dict[str, Any] = {"Sender": labels.sender(sender)}
        for round_id in rounds:
            row[f"{round_id} stringency"] = float(wide.loc[sender, round_id])
        for round_id in rounds:
            base = wide.loc[leader, round_id] if leader in wide.index else float("nan")
            mine = wide.loc[sender, round_id]
            row[f"{round_id} ÷ {leader}"] = float(mine) / float(base) if base and not pd.isna(base) else None
        rows.append(row)
    return pd.DataFrame(rows)


def leave_one_out_table(leave_one_out: pd.DataFrame, rounds: list[str]) -> pd.DataFrame:
    japan = leave_one_out[leave_one_out["sender"].astype(str) == FOCAL]
    wide = japan.pivot_table(index="left_out", columns="round", values="stringency", aggfunc="first").reindex(
        columns=rounds
    )
    out = wide.round(1).reset_index()
    out["left_out"] = out["left_out"].map(labels.instrument)
    return out.rename(columns={"left_out": "Instrument left out"})


def thing_labels(tables: Mapping[str, pd.DataFrame]) -> dict[str, str]:
    """A human name for every measure, pressure act and engagement id the replication table names."""
    out = {}
    for row in tables["measures"].itertuples():
        out[str(row.event_id)] = (
            f"{labels.sender(row.sender)}: {labels.instrument(row.instrument)}, "
            f"{date_text(row.date, row.date_precision)}"
        )
    for row in tables["pressure"].itertuples():
        out[str(row.pressure_id)] = (
            f"US pressure: {row.actor}, {labels.label({}, row.form)}, "
            f"{date_text(row.date, row.date_precision)}"
        )
    for row in tables["engagements"].itertuples():
        out[str(row.engagement_id)] = (
            f"Engagement: {labels.label({}, row.kind)}, {date_text(row.date, row.date_precision)}"
        )
    return out


def about_label(target: Any, names: Mapping[str, str]) -> str:
    text = str(target)
    if ":" in text and text.split(":")[0] in labels.HYPOTHESES:
        hypothesis, _, round_id = text.partition(":")
        return f"{hypothesis}, {round_name(round_id)}"
    return names.get(text, text)


def replication_table(replication: pd.DataFrame, names: Mapping[str, str]) -> pd.DataFrame:
    def reason(text: Any) -> str:
        if missing(text):
            return ""
        text = str(text)
        if text.startswith("the configured rule"):
            return "verdict rule in force (see the discussion chapter)"
        return re.sub(r"\b([a-z]+\d{4}[a-z]*)=", r"@\1: ", text).replace("prefer_thesis", "prefer thesis")

    return pd.DataFrame(
        {
            "About": [about_label(t, names) for t in replication["target_id"]],
            "Field": [labels.label(labels.FIELDS, f) for f in replication["target_field"]],
            "Thesis": replication["thesis_value"].astype(str).replace("<NA>", ""),
            # "key=value; key=value" as author-date citations, so the cell reads (and wraps) as text
            "Other sources": [
                "" if missing(v) else re.sub(r"\b([a-z]+\d{4}[a-z]*)=", r"@\1: ", str(v)).replace(";", "; ")
                for v in (
                    replication["independent_values"]
                    if "independent_values" in replication
                    else [""] * len(replication)
                )
            ],
            "Pipeline": replication["pipeline_value"].astype(str).replace("<NA>", ""),
            "Status": replication["status"].astype(str).str.replace("_", " "),
            "Why it differs or cannot be checked": [reason(r) for r in replication["reason"]],
        }
    )


def conflicts_table(conflicts: pd.DataFrame, names: Mapping[str, str]) -> pd.DataFrame:
    def versions(text: Any) -> str:
        parts = [] if missing(text) else str(text).split(";")
        shown = []
        for part in parts:
            key, _, value = part.strip().partition("=")
            shown.append(f"@{key}: {value}")
        return "; ".join(shown)

    return pd.DataFrame(
        {
            "Measure": [names.get(str(e), str(e)) for e in conflicts["event_id"]],
            "Field": [labels.label(labels.FIELDS, f) for f in conflicts["field"]],
            "Versions": [versions(v) for v in conflicts["versions"]],
            "Kept": conflicts["resolved_value"].astype(str),
        }
    )


def verdicts_table(verdicts: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Hypothesis": verdicts["hypothesis"].astype(str),
            "Round": [round_name(r) for r in verdicts["round"]],
            "Verdict": verdicts["verdict"].astype(str),
            "Thesis": verdicts["thesis_verdict"].astype(str).replace("<NA>", ""),
            "Numbers read": verdicts["evidence"]
            .astype(str)
            .str.replace("_", " ")
            .str.replace(";", ",")
            .str.replace("=", " "),
        }
    )


def evidence_table(evidence: pd.DataFrame, weights: pd.DataFrame) -> pd.DataFrame:
    """Every evidence item: what it shows, its test type, weight and source."""
    merged = weights.merge(
        evidence[["evidence_id", "observation", "source", "cites"]], on="evidence_id", how="left"
    )
    merged = merged.sort_values(["hypothesis", "round", "weight_db"], ascending=[True, True, False])
    return pd.DataFrame(
        {
            "Hyp.": merged["hypothesis"].astype(str),
            "Round": merged["round"].astype(str),
            "What it shows": [" ".join(str(o).split()) for o in merged["observation"]],
            "Test": [labels.label(labels.TEST_TYPES, t) for t in merged["test_type"]],
            "Outcome": [labels.label(labels.OUTCOMES, o) for o in merged["outcome"]],
            "Weight (dB)": merged["weight_db"].astype(float).round(1),
            "Counted": ["yes" if str(c).lower() == "true" else "no" for c in merged["counted"]],
            "Source": [
                cite([str(s)] + ([] if missing(c) else str(c).split(";")))
                for s, c in zip(merged["source"], merged["cites"], strict=True)
            ],
        }
    )


def readable(text: Any) -> str:
    """Prose for a table cell: citation keys become citations, snake_case identifiers words."""
    text = "" if missing(text) else str(text)
    text = re.sub(r"\b([a-z]+\d{4}[a-z]*)\b", r"@\1", text)
    return re.sub(r"\b([a-z]+(?:_[a-z]+)+)\b", lambda m: m.group(1).replace("_", " "), text)


def codebook_table(package: Mapping[str, Any], checks: pd.DataFrame) -> pd.DataFrame:
    """The raw tables: what a row is, how many rows and columns each has."""
    rows = checks[checks["check"].astype(str) == "rows"].set_index("table")["value"]
    return pd.DataFrame(
        [
            {
                "Table": resource["name"].replace("_", " "),
                "Rows": rows.get(resource["name"], pd.NA),
                "Columns": len(resource["schema"]["fields"]),
                "What a row is": readable(resource.get("description", "")),
            }
            for resource in package["resources"]
        ]
    )


# How the coverage table names the rows of sources that are not one of the five documents, by kind.
SOURCE_KIND_GROUPS = {
    "primary": "Official records cited for dates",
    "public_record": "Official records cited for dates",
    "official": "Public sources: official notices",
    "wire": "Public sources: wire reports",
    "press": "Public sources: press reports",
    "tracker": "Public sources: sanctions trackers",
    "state_media": "Public sources: state media",
}


def coverage_table(checks: pd.DataFrame, sources: pd.DataFrame | None = None) -> pd.DataFrame:
    """Rows each document contributes to each table, then rows per round. Rows from the many public
    sources are summed by kind of source (the sources table lists each), so the table stays short."""

    def counts(check: str) -> pd.DataFrame:
        part = checks[checks["check"].astype(str) == check].copy()
        if check == "rows_per_source" and sources is not None:
            kinds = dict(zip(sources["key"].astype(str), sources["kind"].astype(str), strict=True))
            part["subject"] = [SOURCE_KIND_GROUPS.get(kinds.get(str(s), ""), str(s)) for s in part["subject"]]
        wide = part.pivot_table(
            index="subject", columns="table", values="value", aggfunc="sum", fill_value=0, sort=False
        )
        return wide.astype(int)

    coverage = pd.concat([counts("rows_per_source"), counts("rows_per_round")]).fillna(0).astype(int)
    grouped = set(SOURCE_KIND_GROUPS.values())
    coverage.index = [
        s
        if s in grouped
        else f"@{s}"
        if not str(s).startswith("R") and s != "all"
        else round_name(s).capitalize()
        for s in coverage.index
    ]
    coverage.index.name = "Document or round"
    coverage.columns = [str(c).replace("_", " ") for c in coverage.columns]
    return coverage.reset_index()


def data_summary(checks: pd.DataFrame) -> str:
    """Where the documents disagree and which rows fall outside every round, in a sentence."""
    conflicts = checks[(checks["check"].astype(str) == "conflicts") & (checks["value"] > 0)]
    outside = checks[(checks["check"].astype(str) == "outside_rounds") & (checks["value"] > 0)]
    text = (
        (
            "The documents disagree on "
            + join_words(
                [
                    f"{number(r.value, 0)} measure(s) as to {labels.label(labels.FIELDS, r.subject)}"
                    for r in conflicts.itertuples()
                ]
            )
            + " (@sec-conflicts)."
        )
        if len(conflicts)
        else "The documents never disagree on a measure."
    )
    if len(outside):
        text += (
            " Rows dated outside every round, kept in the data but in no round's scores: "
            + join_words([f"{number(r.value, 0)} in {r.table}" for r in outside.itertuples()])
            + "."
        )
    return text


def later_period(measures: pd.DataFrame, engagements: pd.DataFrame) -> str:
    russia = measures[measures["sender"].astype(str) == TARGET].sort_values("date", kind="stable")
    easing = measures[
        (measures["sender"].astype(str) == FOCAL) & (measures["instrument"].astype(str) == "easing")
    ].sort_values("date", kind="stable")
    # Several documents' reports of one engagement are one event.
    if "engagement_id" in engagements.columns:
        engagements = events_once(engagements, "engagement_id")
    independent = engagements[engagements["independent_initiative"].astype(str).str.lower() == "true"]
    targets = [
        f"{date_text(r.date, r.date_precision)} (aimed at "
        f"{'several senders' if str(r.target) == 'multiple' else labels.sender(r.target)})"
        for r in russia.itertuples()
    ]
    return (
        f"The documents report {len(russia)} Russian counter-measure(s): {join_words(targets)}. "
        f"Japan's later easing appears in {len(easing)} coded step(s)"
        + (
            ": " + join_words([date_text(r.date, r.date_precision) for r in easing.itertuples()])
            if len(easing)
            else ""
        )
        + f", and {len(independent)} of the {len(engagements)} coded Japan–Russia engagements are "
        "independent Japanese initiatives in the issue area, the kind of step Calder's first criterion "
        "says a reactive state fails to take."
    )


ABSTRACT_LEAD = (
    "Did US pressure make Japan sanction Russia after the annexation of Crimea, and does the case show "
    "Japan to be a reactive state? An MA thesis answered yes to the first question and no to the second "
    "by reading the evidence qualitatively. This report codes that evidence, and that of four further "
    "commentaries, into source-cited tables, scores each round by explicit formulas and decides each "
    "hypothesis by a documented rule that readers can change."
)


def abstract(findings_text: str) -> str:
    """The report's abstract: the question, then the computed findings (never typed)."""
    return f"{ABSTRACT_LEAD} {findings_text.strip()}"


# ── Out-of-sample rounds: does the thesis hold on rounds it never saw? ───────────────────────
# Everything here runs per window marked out_of_sample (analysis/config.py round_windows), compared
# with the in-sample rounds pooled; nothing names a particular round or year.
# Causes that credit US pressure (in full or in part); every other cause points away from it.
CREDITS_US = {"us_pressure": "yes", "mixed": "in part"}
# Measure rows that record what Japan kept out of its sanctions (their affects_instrument says what).
KEPT_OUT = ("carve_out", "not_adopted")
THESIS_CONCLUSIONS = ["late", "mild", "under US pressure", "keeping room for its own Russia policy"]


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def possessive(name: str) -> str:
    """'the United States'' / 'Japan's'."""
    return name + ("'" if name.endswith("s") else "'s")


def days(value: Any) -> str:
    """A number of days as the tables show it: whole days plain, a median between two days with .5."""
    if missing(value):
        return "n/a"
    value = float(value)
    return f"{value:.0f}" if value.is_integer() else f"{value:.1f}"


def percent(value: Any) -> str:
    return "n/a" if missing(value) else f"{float(value) * 100:.0f}%"


def split_windows(windows: list[Mapping[str, Any]]) -> tuple[list[str], list[Mapping[str, Any]]]:
    """(ids of the in-sample rounds, the out-of-sample windows), in date order."""
    inside = [str(w["id"]) for w in windows if not w.get("out_of_sample")]
    return inside, [w for w in windows if w.get("out_of_sample")]


def sample_label(windows: list[Mapping[str, Any]]) -> str:
    """The in-sample period by its years, e.g. '2014–2016' (from the windows, never typed)."""
    inside = [w for w in windows if not w.get("out_of_sample")]
    if not inside:
        return "in sample"
    first, last = min(str(w["start"])[:4] for w in inside), max(str(w["end"])[:4] for w in inside)
    return first if first == last else f"{first}–{last}"


def pooled_id(outside: list[Mapping[str, Any]]) -> str:
    """The round label decide_verdicts gives the verdicts pooled over the out-of-sample rounds."""
    return "+".join(str(w["id"]) for w in outside)


def median_lag(
    by_sender: pd.DataFrame, rounds: list[str], against: str, instrument: str | None = None
) -> float:
    """Median of Japan's lags (days) behind `against` over the measures of `rounds` (NaN if none)."""
    rows = by_sender[
        by_sender["round"].astype(str).isin(rounds) & (by_sender["against"].astype(str) == against)
    ]
    if instrument is not None:
        rows = rows[rows["instrument"].astype(str) == instrument]
    lags = rows["lag_days"].astype(float).dropna()
    return float(lags.median()) if len(lags) else float("nan")


def lag_comparison(by_sender: pd.DataFrame, windows: list[Mapping[str, Any]]) -> pd.DataFrame:
    """Japan's median lag per instrument and sender timed against: the in-sample rounds pooled (sample
    = their years) and each out-of-sample round (sample = its id). Long form: instrument, against,
    sample, n, median_lag_days; only instruments Japan used in an out-of-sample round or in sample."""
    inside, outside = split_windows(windows)
    samples = [(sample_label(windows), inside)] + [(str(w["id"]), [str(w["id"])]) for w in outside]
    rows = []
    timed = by_sender.dropna(subset=["lag_days"])
    for against in dict.fromkeys(by_sender["against"].astype(str)):
        for instrument in dict.fromkeys(timed["instrument"].astype(str)):
            for name, rounds in samples:
                part = timed[
                    timed["round"].astype(str).isin(rounds)
                    & (timed["against"].astype(str) == against)
                    & (timed["instrument"].astype(str) == instrument)
                ]
                if len(part):
                    rows.append(
                        {
                            "instrument": instrument,
                            "against": against,
                            "sample": name,
                            "n": len(part),
                            "median_lag_days": float(part["lag_days"].astype(float).median()),
                        }
                    )
    return pd.DataFrame(rows, columns=["instrument", "against", "sample", "n", "median_lag_days"])


def lag_table(comparison: pd.DataFrame, windows: list[Mapping[str, Any]]) -> pd.DataFrame:
    """The lag comparison as a display table: an instrument a row, a column per sender and sample."""
    _, outside = split_windows(windows)
    samples = [sample_label(windows)] + [str(w["id"]) for w in outside]
    rows = []
    for instrument in dict.fromkeys(comparison["instrument"].astype(str)):
        row: dict[str, Any] = {"Instrument": labels.instrument(instrument)}
        for against in dict.fromkeys(comparison["against"].astype(str)):
            for name in samples:
                hit = comparison[
                    (comparison["instrument"] == instrument)
                    & (comparison["against"] == against)
                    & (comparison["sample"] == name)
                ]
                cell = (
                    ""
                    if hit.empty
                    else f"{days(hit['median_lag_days'].iloc[0])} (n = {int(hit['n'].iloc[0])})"
                )
                row[f"{labels.sender(against)}, {name}"] = cell
        rows.append(row)
    return pd.DataFrame(rows)


def allies_round_table(stringency: pd.DataFrame, round_id: str, leader: str) -> pd.DataFrame:
    """Each sender's stringency (stock at the round's end), its ratio to the leader's, the coverage of
    the leader's instruments and the number of instruments used, in one round."""
    rows = stringency[stringency["round"].astype(str) == round_id]
    order = [s for s in labels.SENDERS if s in set(rows["sender"].astype(str))]
    by_sender = rows.set_index(rows["sender"].astype(str))
    return pd.DataFrame(
        [
            {
                "Sender": labels.sender(s),
                "Stringency (0–100)": number(by_sender.loc[s, "stringency"], 1),
                f"÷ {possessive(labels.sender(leader))}": number(by_sender.loc[s, "relative_to_leader"]),
                f"Share of {possessive(labels.sender(leader))} instruments": percent(
                    by_sender.loc[s, "coverage"]
                ),
                "GSDB types in force": number(by_sender.loc[s, "breadth"], 0),
            }
            for s in order
        ]
    )


def kept_out_rows(measures: pd.DataFrame, round_id: str) -> pd.DataFrame:
    """Japan's rows in a round that record a carve-out or a measure not adopted."""
    return measures[
        (measures["round"].astype(str) == round_id)
        & (measures["sender"].astype(str) == FOCAL)
        & measures["instrument"].astype(str).isin(KEPT_OUT)
    ].sort_values(["date", "event_id"])


def kept_out_table(measures: pd.DataFrame, round_id: str) -> pd.DataFrame:
    rows = kept_out_rows(measures, round_id)
    return pd.DataFrame(
        {
            "Date": [date_text(d, p) for d, p in zip(rows["date"], rows["date_precision"], strict=True)],
            "Kind": [labels.instrument(i) for i in rows["instrument"]],
            "What it spares": [
                labels.instrument(a) if not missing(a) else "" for a in rows["affects_instrument"]
            ],
            "Reported by": [cite(str(s).split(";")) for s in rows["sources"]],
        }
    )


def pressure_counts(pressure: pd.DataFrame, round_ids: list[str]) -> pd.DataFrame:
    """Acts of pressure and coordination per act type (the `act` column; uncoded when empty) and round."""
    rows = pressure[pressure["round"].astype(str).isin(round_ids)]
    acts = rows["act"].astype("string").fillna("not coded by act") if "act" in rows else pd.Series(dtype=str)
    wide = pd.crosstab(acts, rows["round"].astype(str)).reindex(columns=round_ids, fill_value=0)
    wide.index = [labels.label({}, a).capitalize() for a in wide.index]
    wide.index.name = "Act"
    wide.columns = [round_name(r).capitalize() for r in wide.columns]
    return wide.reset_index()


def attribution_counts(attributions: pd.DataFrame, round_id: str) -> pd.DataFrame:
    """A round's attribution statements by claimed cause and who speaks, with whether the cause credits
    US pressure: both sides of the question, as coded."""
    rows = attributions[attributions["round"].astype(str) == round_id]
    if rows.empty:
        return pd.DataFrame(columns=["Cause named", "Credits US pressure", "Statements"])
    wide = pd.crosstab(rows["cause"].astype(str), rows["attributor_type"].astype(str))
    types = [t for t in labels.ATTRIBUTOR_TYPES if t in wide.columns]
    out = pd.DataFrame(
        {
            "Cause named": [_capital(labels.label(labels.CAUSES, c)) for c in wide.index],
            "Credits US pressure": [CREDITS_US.get(c, "no") for c in wide.index],
            **{labels.ATTRIBUTOR_TYPES[t].capitalize(): wide[t].tolist() for t in types},
            "Statements": wide.sum(axis=1).tolist(),
        }
    )
    return out.sort_values(["Statements", "Cause named"], ascending=[False, True], ignore_index=True)


def _japan(stringency: pd.DataFrame, round_id: str, column: str) -> float:
    row = _row(stringency, sender=FOCAL, round=round_id)
    return float("nan") if row is None else _float(row[column])


def _credits(attributions: pd.DataFrame, rounds: list[str]) -> tuple[int, int]:
    """(statements crediting US pressure in full or in part, all statements) dated to `rounds`."""
    rows = attributions[attributions["round"].astype(str).isin(rounds)]
    return int(rows["cause"].astype(str).isin(list(CREDITS_US)).sum()), len(rows)


def _initiatives(reactivity: pd.DataFrame, rounds: list[str]) -> float:
    rows = reactivity[reactivity["round"].astype(str).isin(rounds)]
    return float(rows["independent_initiatives"].astype(float).sum()) if len(rows) else float("nan")


def _influence(influence: pd.DataFrame, round_id: str) -> float:
    row = _row(influence, round=round_id)
    return float("nan") if row is None else _float(row["influence"])


def _verdict(verdicts: pd.DataFrame, hypothesis: str, round_id: str, column: str = "verdict") -> str:
    row = _row(verdicts, hypothesis=hypothesis, round=round_id)
    return "" if row is None or missing(row[column]) else str(row[column])


def thesis_comparison(
    tables: Mapping[str, pd.DataFrame], windows: list[Mapping[str, Any]], leader: str
) -> pd.DataFrame:
    """Each verdict and score the thesis's conclusions rest on: a column per in-sample round, the
    in-sample rounds pooled, and each out-of-sample round (pooled verdicts of several out-of-sample
    rounds get a column of their own)."""
    inside, outside = split_windows(windows)
    verdicts, stringency = tables["verdicts"], tables["stringency"]
    pooled_label, oos_pooled = f"{sample_label(windows)} pooled", pooled_id(outside)
    columns = (
        [(r, [r]) for r in inside]
        + [(pooled_label, inside)]
        + [(str(w["id"]), [str(w["id"])]) for w in outside]
    )
    if len(outside) > 1:
        columns.append((oos_pooled, [str(w["id"]) for w in outside]))

    def pooled_verdict(hypothesis: str, name: str, column: str = "verdict") -> str:
        if name == pooled_label:
            return _verdict(verdicts, hypothesis, "all", column)
        if name == oos_pooled and column == "verdict":
            return _verdict(verdicts, hypothesis, oos_pooled)
        return ""

    def hp1(name: str, rounds: list[str], column: str = "verdict") -> str:
        if len(rounds) == 1 and name == rounds[0]:
            return _verdict(verdicts, "HP1", name, column)
        found = [_verdict(verdicts, "HP1", r, column) for r in rounds]
        found = [f for f in found if f]
        return f"supported in {found.count('supported')} of {len(found)}" if found else ""

    def per_round(value) -> Any:
        return lambda name, rounds: value(rounds[0]) if len(rounds) == 1 else ""

    def lag(against: str):
        return lambda name, rounds: days(median_lag(tables["timing_by_sender"], rounds, against))

    def credits(name: str, rounds: list[str]) -> str:
        yes, n = _credits(tables["attributions"], rounds)
        return f"{yes} of {n}"

    rows = [
        ("HP1, this build", hp1),
        (
            "HP1, the thesis",
            lambda name, rounds: hp1(name, rounds, "thesis_verdict") if set(rounds) <= set(inside) else "",
        ),
        ("HP2, this build", lambda name, rounds: pooled_verdict("HP2", name)),
        ("HP2, the thesis", lambda name, rounds: pooled_verdict("HP2", name, "thesis_verdict")),
        ("HP3, this build", lambda name, rounds: pooled_verdict("HP3", name)),
        ("HP3, the thesis", lambda name, rounds: pooled_verdict("HP3", name, "thesis_verdict")),
        *[
            (f"Median lag behind the {labels.sender(s)} (days)", lag(s))
            for s in dict.fromkeys(tables["timing_by_sender"]["against"].astype(str))
        ],
        (
            f"Stringency ÷ {possessive(labels.sender(leader))} at the round's end",
            per_round(lambda r: number(_japan(stringency, r, "relative_to_leader"))),
        ),
        (
            f"Share of {possessive(labels.sender(leader))} instruments Japan has in force",
            per_round(lambda r: percent(_japan(stringency, r, "coverage"))),
        ),
        ("Attributed US influence", per_round(lambda r: number(_influence(tables["influence"], r)))),
        ("Statements crediting US pressure", credits),
        (
            "Independent initiatives towards Russia",
            lambda name, rounds: number(_initiatives(tables["reactivity"], rounds), 0),
        ),
        (
            "Measures kept out or not adopted",
            lambda name, rounds: (
                number(sum(len(kept_out_rows(tables["measures"], r)) for r in rounds), 0) if rounds else ""
            ),
        ),
    ]
    table = [{"": label, **{name: fn(name, rounds) for name, rounds in columns}} for label, fn in rows]
    out = pd.DataFrame(table)
    out.columns = ["What"] + [
        round_name(c).capitalize() if c in inside or c in {str(w["id"]) for w in outside} else c
        for c, _ in columns
    ]
    return out


def _days_behind(lag: float, sender: str) -> str:
    name = "the " + possessive(labels.sender(sender))
    if pd.isna(lag):
        return f"could not be timed against {name}"
    if lag == 0:
        return f"on the same day as {name}"
    return f"{days(abs(lag))} days {'after' if lag > 0 else 'before'} {name}"


PLURAL = {
    "carries over": "carry over",
    "carries over in part": "carry over in part",
    "does not carry over": "do not carry over",
    "cannot be judged": "cannot be judged",
}


def _carry(flags: list[bool | None]) -> str:
    known = [f for f in flags if f is not None]
    if not known:
        return "cannot be judged"
    if all(known):
        return "carries over"
    return "carries over in part" if any(known) else "does not carry over"


def thesis_conclusions(
    tables: Mapping[str, pd.DataFrame],
    windows: list[Mapping[str, Any]],
    leader: str,
    window: Mapping[str, Any],
    settings: Mapping[str, Any],
) -> tuple[dict[str, str], str]:
    """Whether each of the thesis's conclusions (THESIS_CONCLUSIONS) carries over to an out-of-sample
    round, judged from the round's scores against the in-sample rounds': ({conclusion: outcome}, the
    paragraph that says so). Late: Japan's median lag behind each major sender is positive. Mild:
    Japan's stringency stays below the leader's. Under US pressure: HP1 is supported, as the thesis
    finds it in every round. Room for its own Russia policy: Japan both kept measures out and took
    independent initiatives towards Russia, the two signs the thesis reads it from."""
    inside, _ = split_windows(windows)
    round_id, period = str(window["id"]), sample_label(windows)
    by_sender = tables["timing_by_sender"]
    senders = list(dict.fromkeys(by_sender["against"].astype(str)))
    lags = {s: median_lag(by_sender, [round_id], s) for s in senders}
    before = {s: median_lag(by_sender, inside, s) for s in senders}
    ratio = _japan(tables["stringency"], round_id, "relative_to_leader")
    cover = _japan(tables["stringency"], round_id, "coverage")
    ratios = [number(_japan(tables["stringency"], r, "relative_to_leader")) for r in inside]
    hp1 = _verdict(tables["verdicts"], "HP1", round_id)
    failed = [c for c in hp1_conditions(round_id, tables, settings) if c["passes"] is False]
    hp1_before = [_verdict(tables["verdicts"], "HP1", r) for r in inside]
    yes, n = _credits(tables["attributions"], [round_id])
    yes0, n0 = _credits(tables["attributions"], inside)
    initiatives, initiatives0 = (
        _initiatives(tables["reactivity"], [round_id]),
        _initiatives(tables["reactivity"], inside),
    )
    kept = len(kept_out_rows(tables["measures"], round_id))
    kept0 = sum(len(kept_out_rows(tables["measures"], r)) for r in inside)
    outcome = {
        "late": _carry([None if pd.isna(v) else v > 0 for v in lags.values()]),
        "mild": _carry([None if pd.isna(ratio) else ratio < 1]),
        "under US pressure": _carry([None if not hp1 else hp1 == "supported"]),
        "keeping room for its own Russia policy": _carry(
            [None if pd.isna(initiatives) else initiatives > 0, kept > 0]
        ),
    }
    sentences = [
        f"**Late {outcome['late']}.** On the median, Japan's measures in {round_name(round_id)} came "
        + join_words([_days_behind(lags[s], s) for s in senders])
        + f" comparable measures; in {period} the median lags were "
        + join_words([f"{days(before[s])} days behind the {labels.sender(s)}" for s in senders])
        + ".",
        f"**Mild {outcome['mild']}.** At the round's end Japan's sanctions stood at {number(ratio)} times "
        f"the stringency of the {labels.sender(leader)}, with {percent(cover)} of its instruments in "
        f"force; the ratio was {join_words(ratios)} in {join_words([round_name(r) for r in inside])}.",
        f"**Under US pressure {outcome['under US pressure']}.** HP1 is {hp1 or 'not computed'} in "
        f"{round_name(round_id)}, where the thesis finds it supported in every round it studies and this "
        f"build in {hp1_before.count('supported')} of {len(hp1_before)}"
        + (f"; it fails because {join_words([_condition_words(c) for c in failed])}" if failed else "")
        + (
            "; the round has no coded process-tracing item, so its posterior stays at the prior"
            if _float(getattr(_row(tables["posteriors"], hypothesis="HP1", round=round_id), "n_items", 0))
            == 0
            else ""
        )
        + f". Of the round's {n} attribution statements, {yes} credit US pressure in full or in part, "
        f"against {yes0} of {n0} in {period}.",
        f"**Keeping room for its own Russia policy {outcome['keeping room for its own Russia policy']}.** "
        f"Japan kept {kept} measure(s) out of its sanctions or did not adopt them (coded carve-outs and "
        f"non-adoptions; {kept0} in {period}"
        + (", whose rows code none, so this sign cannot be compared across the two" if kept0 == 0 else "")
        + f") and took {number(initiatives, 0)} independent initiative(s) towards Russia "
        f"({number(initiatives0, 0)} in {period}).",
    ]
    groups = {}
    for conclusion, result in outcome.items():
        groups.setdefault(result, []).append(conclusion)
    summary = (
        f"Of the thesis's {len(outcome)} conclusions, "
        + join_words(
            [f"{len(c)} {r if len(c) == 1 else PLURAL[r]} ({join_words(c)})" for r, c in groups.items()]
        )
        + f" in {round_name(round_id)}."
    )
    return outcome, "\n".join([summary, "", *(f"- {sentence}" for sentence in sentences)])


def out_of_sample_lead(
    tables: Mapping[str, pd.DataFrame],
    windows: list[Mapping[str, Any]],
    leader: str,
    settings: Mapping[str, Any],
) -> str:
    """The chapter's opening: what the out-of-sample rounds are, whether each of the thesis's
    conclusions carries over, and the verdicts and scores beside the in-sample ones (a table)."""
    inside, outside = split_windows(windows)
    if not outside:
        return (
            "No out-of-sample round is built in this build (`rounds.out_of_sample` is `exclude`): the "
            "figure below shows only the in-sample lags, and every chapter covers the in-sample rounds only."
        )
    parts = [
        "The thesis draws its conclusions from "
        + join_words([round_name(r) for r in inside])
        + f" ({sample_label(windows)}). "
        + join_words([str(w["label"]) for w in outside])
        + f" {'was' if len(outside) == 1 else 'were'} never part of it: coded from public sources in the "
        "same tables and codebook, and scored by the same code and verdict rules, "
        + ("it tests" if len(outside) == 1 else "they test")
        + " whether the thesis's conclusions hold on a round it never saw. HP2 and HP3, which pool "
        "rounds, are decided over the in-sample rounds and, apart, over the out-of-sample ones, so this "
        "round cannot change an in-sample verdict.",
    ]
    for window in outside:
        _, paragraph = thesis_conclusions(tables, windows, leader, window, settings)
        parts.append(paragraph)
    parts.append(
        pipe_table(
            thesis_comparison(tables, windows, leader),
            "The verdicts and the scores the thesis's conclusions rest on: each in-sample round, the "
            "in-sample rounds pooled, and each out-of-sample round beside them.",
            "tbl-oos-thesis",
        )
    )
    return "\n\n".join(parts)


def out_of_sample_body(
    tables: Mapping[str, pd.DataFrame], windows: list[Mapping[str, Any]], leader: str
) -> str:
    """The chapter's sections after its figure: timing, stringency, what Japan kept out, pressure and
    attributions, per out-of-sample round (empty when none is built)."""
    inside, outside = split_windows(windows)
    if not outside:
        return ""
    period = sample_label(windows)
    comparison = lag_comparison(tables["timing_by_sender"], windows)
    senders = list(dict.fromkeys(tables["timing_by_sender"]["against"].astype(str)))
    parts = [
        "## Timing against the United States and the European Union",
        "",
        "Each Japanese measure is timed against the first comparable measure (same instrument, within "
        "the comparability window) of each sender in turn, by the code that times it against the leader. "
        f"@tbl-oos-lags gives the median lag per instrument in {period} and in each out-of-sample round; "
        "a negative lag means Japan moved first.",
        "",
        pipe_table(
            lag_table(comparison, windows),
            "Japan's median lag in days behind the comparable "
            "measure of each sender, per instrument (n: Japanese measures timed).",
            "tbl-oos-lags",
        ),
        "",
    ]
    for window in outside:
        r = str(window["id"])
        faster = [
            labels.instrument(i)
            for i in dict.fromkeys(comparison["instrument"])
            if all(
                median_lag(tables["timing_by_sender"], [r], s, i)
                < median_lag(tables["timing_by_sender"], inside, s, i)
                for s in senders
            )
        ]
        parts += [
            f"In {round_name(r)}, Japan followed faster than in {period} against every sender for "
            + (join_words(faster) if faster else "no instrument")
            + ".",
            "",
        ]
    for window in outside:
        r = str(window["id"])
        kept = kept_out_rows(tables["measures"], r)
        spared = sorted({labels.instrument(a) for a in kept["affects_instrument"] if not missing(a)})
        acts = tables["pressure"][tables["pressure"]["round"].astype(str) == r]
        yes, n = _credits(tables["attributions"], [r])
        parts += [
            f"## Stringency and coverage against the allies in {round_name(r)}",
            "",
            f"@tbl-oos-allies-{r.lower()} gives each sender's stringency at the end of {round_name(r)}, "
            f"its ratio to the {labels.sender(leader)}'s and how many of the "
            f"{labels.sender(leader)}'s instruments it covers.",
            "",
            pipe_table(
                allies_round_table(tables["stringency"], r, leader),
                f"Stringency (stock at the round's end), ratio to the {labels.sender(leader)} and "
                f"coverage, {round_name(r)}.",
                f"tbl-oos-allies-{r.lower()}",
            ),
            "",
            f"## What Japan kept out in {round_name(r)}",
            "",
            f"The coded rows record {len(kept)} carve-out(s) or measure(s) Japan did not adopt"
            + (f", sparing {join_words(spared)}" if spared else "")
            + f" (@tbl-oos-kept-{r.lower()}).",
            "",
            pipe_table(
                kept_out_table(tables["measures"], r),
                f"Japan's carve-outs and measures not adopted, {round_name(r)}.",
                f"tbl-oos-kept-{r.lower()}",
            ),
            "",
            f"## Pressure and attributions in {round_name(r)}",
            "",
            f"The round holds {len(acts)} coded act(s) of US or G7 pressure and coordination, "
            f"{int((acts['channel'].astype(str) == 'direct').sum())} of them direct; @tbl-oos-pressure "
            f"counts them by kind beside the in-sample rounds, whose acts carry no act type. Of the "
            f"round's {n} attribution statements, {yes} credit US pressure in full or in part and "
            f"{n - yes} name another cause (@tbl-oos-attributions-{r.lower()}).",
            "",
            pipe_table(
                attribution_counts(tables["attributions"], r),
                f"Attribution statements by the cause they name and who speaks, {round_name(r)}.",
                f"tbl-oos-attributions-{r.lower()}",
            ),
            "",
        ]
    parts += [
        pipe_table(
            pressure_counts(tables["pressure"], inside + [str(w["id"]) for w in outside]),
            "Acts of US (and G7) pressure and coordination on Japan by kind, per round.",
            "tbl-oos-pressure",
        ),
    ]
    return "\n".join(parts)


TEXT_FRAGMENTS = [
    "findings",
    "verdicts_in_words",
    "rounds",
    "discussion",
    "formulas",
    "key_choices",
    "data_summary",
    "later_period",
    "out_of_sample_lead",
    "out_of_sample",
]
TABLES = [
    "codebook",
    "coverage",
    "choices",
    "verdicts",
    "replication",
    "allies",
    "reactivity_peers",
    "conflicts",
    "leave_one_out",
    "evidence",
]


def report_fragments(
    tables: Mapping[str, pd.DataFrame],
    choices: pd.DataFrame,
    windows: list[Mapping[str, str]],
    package: Mapping[str, Any],
    formula_blocks: list[tuple[str, Mapping[str, str], Mapping[str, tuple[str, str]]]],
) -> tuple[dict[str, str], dict[str, pd.DataFrame]]:
    """Everything the report shows that is computed: Markdown fragments and display tables by name
    (TEXT_FRAGMENTS, TABLES). `tables` holds the clean and score tables by the names round_chapter,
    discussion and the table builders use."""
    settings = dict(zip(choices["key"].astype(str), choices["value"].astype(str), strict=True))
    if "measure_reports" in tables:
        tables = {**tables, "measures": with_measure_cites(tables["measures"], tables["measure_reports"])}
    rounds = [w["id"] for w in windows]
    inside = [w["id"] for w in windows if not w.get("out_of_sample")]
    leader = setting(settings, "comparison.leader")
    words = [
        hp1_sentence(
            r,
            str(_row(tables["verdicts"], hypothesis="HP1", round=r)["verdict"]),
            hp1_conditions(r, tables, settings),
            settings,
        )
        for r in rounds
        if _row(tables["verdicts"], hypothesis="HP1", round=r) is not None
    ]
    words += [
        pooled_reconciliation(tables, settings, rounds),
        # HP2 and HP3 are pooled over the in-sample rounds (stages.decide_verdicts)
        hp2_sentence(tables, settings, inside),
        hp3_sentence(tables, settings, inside),
    ]
    names = thing_labels(tables)
    texts = {
        "findings": findings(
            tables,
            settings,
            [w["id"] for w in windows if not w.get("out_of_sample")],
            [w["id"] for w in windows if w.get("out_of_sample")],
        ),
        "verdicts_in_words": "\n\n".join(w for w in words if w),
        "rounds": "\n\n".join(round_chapter(w, tables, leader, settings) for w in windows),
        "discussion": discussion(tables, settings, inside),
        "formulas": formulas_markdown(formula_blocks),
        "key_choices": key_choices(choices),
        "data_summary": data_summary(tables["data_checks"]),
        "later_period": later_period(tables["measures"], tables["engagements"]),
        "out_of_sample_lead": out_of_sample_lead(tables, windows, leader, settings),
        "out_of_sample": out_of_sample_body(tables, windows, leader),
    }
    frames = {
        "codebook": codebook_table(package, tables["data_checks"]),
        "coverage": coverage_table(tables["data_checks"], tables.get("sources")),
        "choices": choices_table(choices),
        "verdicts": verdicts_table(tables["verdicts"]),
        "replication": replication_table(tables["replication"], names),
        "allies": allies_table(tables["stringency"], rounds, leader),
        "reactivity_peers": reactivity_peers_table(tables["reactivity_peers"], rounds),
        "conflicts": conflicts_table(tables["conflicts"], names),
        "leave_one_out": leave_one_out_table(tables["leave_one_out"], rounds),
        "evidence": evidence_table(tables["evidence"], tables["evidence_weights"]),
    }
    return texts, frames
