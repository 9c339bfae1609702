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
    description: str  # what the instrument covers


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


# The instruments of methods.md section 4, in the order of the codebook and the weight sets. GSDB's
# six types: dual-use export bans go with trade, as GSDB codes export restrictions; none of the eight
# is a cut in military assistance, so `military` is never active and breadth is at most 5.
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
)
# Rows of the measures table that are not one of the instruments above.
OTHER_MEASURE_KINDS = {"counter_measure": "Counter-measure", "easing": "Easing", "other": "Other measure"}
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
    Hypothesis("HP1", "US pressure forced Japan to adopt sanctions against Russia (judged round by round)."),
    Hypothesis("HP2", "Japan's sanction policy against Russia was a reactive policy."),
    Hypothesis("HP3", "Japan is a reactive state."),
)
# A verdict over all rounds, rather than one round, is keyed by this pseudo-round.
ALL_ROUNDS = "all"
VERDICTS = ("supported", "indeterminate", "rejected")
VERDICT_COLOURS = {"supported": "#009E73", "indeterminate": "#999999", "rejected": "#D55E00"}

INSTRUMENT_CODES = tuple(i.code for i in INSTRUMENTS)
INSTRUMENT_LABELS = {i.code: i.label for i in INSTRUMENTS} | OTHER_MEASURE_KINDS
GSDB_TYPE_OF = {i.code: i.gsdb_type for i in INSTRUMENTS}
SENDER_ORDER = tuple(s.code for s in SENDERS)
SENDER_LABELS = {s.code: s.label for s in SENDERS}
SENDER_PROSE = {s.code: s.prose for s in SENDERS}
SENDER_COLOURS = {s.code: s.colour for s in SENDERS}
HYPOTHESIS_CODES = tuple(h.code for h in HYPOTHESES)


def sender_prose(code: str) -> str:
    """How a sentence names a sender (its code where the vocabulary has no name for it)."""
    return SENDER_PROSE.get(code, code)
