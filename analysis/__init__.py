"""Pipeline logic for the Japan–Russia sanctions report: pure functions, no Snakemake imports."""
