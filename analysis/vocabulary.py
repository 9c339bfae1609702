"""The project's vocabulary, spelled out once: instruments, senders, hypotheses and rounds' naming.

Codes here are the codes of the raw tables (data/datapackage.json lists the same codes as enums, and a
test keeps the two equal); every module that needs a code, a label, a prose name or a colour imports
it from here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Instrument:
    code: str
    label: str  # as tables and figures show it
    gsdb_type: str  # GSDB's binary sanction type the instrument belongs to
    description: str  # what the instrument covers (and why its weight, for the 2022 additions)
    # First day the instrument was in the sanctions repertoire against Russia: a round's index counts
    # only instruments already in the repertoire at the round's end, so instruments first used in 2022
    # neither dilute nor pad the 2014–2016 indices.
    since: str = "2014-01-01"


@dataclass(frozen=True)
class Sender:
    code: str
    label: str  # as tables and figures show it
    prose: str  # as a sentence names it ("the United States")
    colour: str  # Okabe–Ito, distinguishable under the common colour-vision deficiencies


@dataclass(frozen=True)
class Hypothesis:
    code: str
    statement: str
    short: str  # as a sentence or a table names it


# The instruments of methods.md section 4 and the nine the 2022 round adds, in the order of the codebook
# and the weight sets. GSDB's six types: dual-use export bans go with trade, as GSDB codes export
# restrictions; none is a cut in military assistance, so `military` is never active.
INSTRUMENTS = (
    Instrument(
        "diplomatic_suspension", "Diplomatic suspension", "other", "Suspended talks, visa easing, summits."
    ),
    Instrument("travel_ban", "Travel and visa bans", "travel", "Visa bans on named persons."),
    Instrument("asset_freeze", "Asset freezes", "financial", "Freezes on persons and entities."),
    Instrument(
        "crimea_trade_ban",
        "Crimea trade ban",
        "trade",
        "Import and investment bans for Crimea and Sevastopol.",
    ),
    Instrument("arms_embargo", "Arms embargo", "arms", "Arms export and import bans."),
    Instrument("dual_use_ban", "Dual-use export ban", "trade", "Dual-use exports to military end users."),
    Instrument(
        "sectoral_finance",
        "Sectoral finance restrictions",
        "financial",
        "Securities and lending limits for state banks, energy and defence firms.",
    ),
    Instrument(
        "energy_technology",
        "Energy technology ban",
        "trade",
        "Deep-water, Arctic and shale technology exports.",
    ),
    Instrument(
        "swift_exclusion",
        "SWIFT exclusion",
        "financial",
        "Banks cut from SWIFT messaging. Ordinal cost 3: it severs the banks' cross-border payments, "
        "a severe cost like the 2014 securities ban.",
        since="2022-01-01",
    ),
    Instrument(
        "central_bank",
        "Central bank sanctions",
        "financial",
        "Transactions with the central bank blocked, its reserves immobilised. Ordinal cost 3: it "
        "disables the target's currency defence, the most severe financial step.",
        since="2022-01-01",
    ),
    Instrument(
        "export_ban",
        "Export bans",
        "trade",
        "Country-wide export bans beyond dual-use goods: semiconductors, high-tech and industrial goods. "
        "Ordinal cost 2, like the dual-use ban it widens.",
        since="2022-01-01",
    ),
    Instrument(
        "luxury_export_ban",
        "Luxury export ban",
        "trade",
        "Luxury goods exports banned. Ordinal cost 1: aimed at elites' consumption, little effect on the "
        "economy or the war effort.",
        since="2022-01-01",
    ),
    Instrument(
        "energy_import_ban",
        "Energy import bans",
        "trade",
        "Coal, oil or LNG imports banned or phased out, and the oil price cap. Ordinal cost 3: energy is "
        "the target's main export revenue.",
        since="2022-01-01",
    ),
    Instrument(
        "goods_import_ban",
        "Goods import bans",
        "trade",
        "Non-energy imports banned (machinery, timber, seafood, steel, gold). Ordinal cost 2: a real but "
        "bounded loss of export revenue.",
        since="2022-01-01",
    ),
    Instrument(
        "investment_ban",
        "New-investment ban",
        "financial",
        "New investment in the target (economy-wide or its energy sector) banned. Ordinal cost 2: it "
        "cuts future capital, not current flows.",
        since="2022-01-01",
    ),
    Instrument(
        "mfn_revocation",
        "MFN revocation",
        "trade",
        "Most-favoured-nation status withdrawn, allowing higher tariffs. Ordinal cost 2: a general "
        "tariff penalty with carve-outs (energy).",
        since="2022-01-01",
    ),
    Instrument(
        "diplomatic_expulsion",
        "Diplomatic expulsions",
        "other",
        "Diplomats expelled. Ordinal cost 1: a diplomatic signal like the suspension of talks, no "
        "economic cost.",
        since="2022-01-01",
    ),
)
# Rows of the measures table that are not one of the instruments above.
OTHER_MEASURE_KINDS = {
    "counter_measure": "Counter-measure",
    "easing": "Easing",
    "carve_out": "Carve-out",
    "not_adopted": "Not adopted",
    "other": "Other measure",
}
GSDB_TYPES = ("arms", "military", "trade", "financial", "travel", "other")

# Okabe–Ito palette, in the order senders are shown.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
SENDERS = (
    Sender("JP", "Japan", "Japan", OKABE_ITO[0]),
    Sender("US", "United States", "the United States", OKABE_ITO[1]),
    Sender("EU", "European Union", "the European Union", OKABE_ITO[2]),
    Sender("CA", "Canada", "Canada", OKABE_ITO[3]),
    Sender("AU", "Australia", "Australia", OKABE_ITO[4]),
    Sender("NZ", "New Zealand", "New Zealand", OKABE_ITO[5]),
    Sender("RU", "Russia (counter-measures)", "Russia", OKABE_ITO[6]),
)
# The state whose policy the analysis explains, the state whose pressure HP1 is about, the target,
# and the senders every round's table of measures shows.
FOCAL = "JP"
PRESSURING = "US"
TARGET = "RU"
MAJOR_SENDERS = (FOCAL, PRESSURING, "EU")

HYPOTHESES = (
    Hypothesis(
        "HP1",
        "US pressure forced Japan to adopt sanctions against Russia (judged round by round).",
        "US pressure forced Japan to sanction Russia",
    ),
    Hypothesis(
        "HP2",
        "Japan's sanction policy against Russia was a reactive policy.",
        "Japan's sanctions policy was reactive",
    ),
    Hypothesis("HP3", "Japan is a reactive state.", "Japan is a reactive state"),
)
# A verdict over all rounds, rather than one round, is keyed by this pseudo-round.
ALL_ROUNDS = "all"
# The verdict words. supported: every condition the rule reads reaches its threshold. not supported: a
# condition misses its threshold but none of the evidence speaks against the hypothesis. rejected: the
# evidence speaks against it (hp1.rejection says when). indeterminate: an input is missing, so the rule
# cannot be applied.
SUPPORTED, NOT_SUPPORTED, REJECTED, INDETERMINATE = "supported", "not supported", "rejected", "indeterminate"
VERDICTS = (SUPPORTED, NOT_SUPPORTED, REJECTED, INDETERMINATE)
# Whether a verdict accepts the hypothesis (None: cannot say): the thesis states only accept or reject,
# so a verdict agrees with the thesis's when both accept or both do not.
VERDICT_HOLDS = {SUPPORTED: True, NOT_SUPPORTED: False, REJECTED: False, INDETERMINATE: None}
# Okabe–Ito: bluish green, sky blue, vermillion and grey, in the order of VERDICTS.
VERDICT_COLOURS = {
    SUPPORTED: "#009E73",
    NOT_SUPPORTED: "#56B4E9",
    REJECTED: "#D55E00",
    INDETERMINATE: "#999999",
}


def conclusion(verdict: object) -> str | None:
    """What a verdict concludes: "holds" (supported), "does not hold" (not supported or rejected: the
    two words differ in why, not in what is concluded), "open" (indeterminate); None without a verdict.
    Robustness and flip rates compare conclusions, so a move between "not supported" and "rejected"
    is neither a disagreement nor a flip."""
    if verdict is None or verdict != verdict:  # missing (None or NaN)
        return None
    holds = VERDICT_HOLDS.get(str(verdict))
    return "open" if holds is None else "holds" if holds else "does not hold"


def verdicts_agree(ours: object, thesis: object) -> bool:
    """Whether a verdict agrees with the thesis's (which only accepts or rejects): both accept the
    hypothesis, or neither does; an indeterminate verdict agrees with none."""
    ours = conclusion(ours)
    return ours in ("holds", "does not hold") and ours == conclusion(thesis)


INSTRUMENT_CODES = tuple(i.code for i in INSTRUMENTS)
INSTRUMENT_LABELS = {i.code: i.label for i in INSTRUMENTS} | OTHER_MEASURE_KINDS
# As a sentence names them: the label with a lower-case initial, unless it starts with a proper noun
# or an acronym (Crimea, SWIFT, MFN).
INSTRUMENT_PROSE = {
    code: label if label.split()[0].isupper() or label.startswith("Crimea") else label[0].lower() + label[1:]
    for code, label in INSTRUMENT_LABELS.items()
}
GSDB_TYPE_OF = {i.code: i.gsdb_type for i in INSTRUMENTS}
SENDER_ORDER = tuple(s.code for s in SENDERS)
SENDER_LABELS = {s.code: s.label for s in SENDERS}
SENDER_PROSE = {s.code: s.prose for s in SENDERS}
SENDER_COLOURS = {s.code: s.colour for s in SENDERS}
HYPOTHESIS_CODES = tuple(h.code for h in HYPOTHESES)


def in_repertoire(end: str) -> tuple[bool, ...]:
    """Which instruments (in INSTRUMENTS order) were in the repertoire by ``end`` (an ISO date)."""
    return tuple(i.since <= str(end)[:10] for i in INSTRUMENTS)
