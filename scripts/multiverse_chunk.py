"""Rule multiverse_chunk: score one chunk of the multiverse's specifications (progress on stderr)."""

import json
from pathlib import Path

import pandas as pd

from analysis.io import logged
from analysis.registry import from_params
from analysis.scores.multiverse import Progress, run_chunk, write_parquet

with logged(snakemake.log[0]) as log:
    config = from_params(snakemake.params)  # every key the job depends on, one param each
    space = json.loads(Path(snakemake.input.space).read_text(encoding="utf-8"))
    chunk, chunks = int(snakemake.wildcards.chunk), int(snakemake.wildcards.chunks)
    prepared_dir = Path(snakemake.params.prepared)
    frame = run_chunk(config, space, chunks, chunk, prepared_dir, Progress)
    write_parquet(frame if len(frame) else pd.DataFrame(), snakemake.output.chunk)
    log.info("chunk %d of %d: %d specifications -> %s", chunk + 1, chunks, len(frame), snakemake.output.chunk)
