"""Stage 1–2: the codebook, validation of the raw tables and the cleaned datasets."""
