"""The report's figures: each one's description and the tables it reads.

Kept apart from figures.py so the Snakefile can list the figures without importing altair and
vl-convert (half a second of every Snakemake start, a no-op included).
"""

FIGURE_DESCRIPTIONS = {
    "timeline": "Timeline of sanctions by sender, US pressure on Japan (direct and indirect) and "
    "Japan–Russia engagements, with the analysis rounds shaded.",
    "stringency": "Grouped bars of the stringency index per round for Japan, the leader and the peers.",
    "lag": "Days between each Japanese measure and the leader's first comparable measure.",
    "attainment": "Preference attainment of the United States and of Japan per round, with "
    "Monte Carlo intervals.",
    "influence": "Mean attributed US influence per round by who speaks (only groups with coded statements).",
    "evidence_weights": "Weight of evidence in decibans of the process-tracing items that weigh most "
    "for or against each hypothesis.",
    "posteriors": "Posterior probability of each hypothesis per round, with the verdict thresholds.",
    "out_of_sample": "The out-of-sample rounds: a timeline of their sanctions, pressure and engagements "
    "(when such a round is built), and Japan's median lag per instrument behind the United States and "
    "the European Union in the in-sample rounds beside each out-of-sample round.",
}


# The tables each figure reads (the make_figures rule declares their union as inputs).
FIGURE_INPUTS = {
    "timeline": ["measures", "pressure", "engagements"],
    "stringency": ["stringency"],
    "lag": ["timing"],
    "attainment": ["attainment"],
    "influence": ["by_type"],
    "evidence_weights": ["weights", "evidence"],
    "posteriors": ["posteriors"],
    "out_of_sample": ["measures", "pressure", "engagements", "by_sender"],
}
