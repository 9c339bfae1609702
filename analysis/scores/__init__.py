"""Stage 3: every score, verdict and the thesis replication, as pure functions of cleaned tables."""
