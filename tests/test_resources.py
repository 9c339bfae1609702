"""What the multiverse's heavy jobs ask a cluster for (analysis/resources.py)."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import resources

# Peaks measured with GNU time on config.yaml's space (1,221,120 specifications, 4 chunks), in MB.
MEASURED_PEAK_MB = {
    "multiverse_chunk": (305_280, 1_230),
    "multiverse_gather": (1_221_120, 5_726),
    "multiverse_summary": (1_221_120, 2_774),
    "multiverse_explorer": (1_221_120, 5_031),
}


@pytest.mark.parametrize("rule", sorted(MEASURED_PEAK_MB))
def test_a_job_asks_for_more_memory_than_it_was_measured_to_use(rule):
    specifications, peak = MEASURED_PEAK_MB[rule]
    asked = resources.job_memory_mb(rule, specifications)
    assert peak * 1.2 <= asked <= peak * 2, (rule, asked)  # headroom, without hoarding the node
    assert (
        resources.job_memory_mb(rule, 100) == resources.DEFAULT_JOB_MB
    )  # a small space asks Snakemake's default
    assert resources.job_memory_mb(rule, 10 * specifications) > asked


def test_specifications_are_counted_from_the_space_and_the_tables(tmp_path):
    space = tmp_path / "space.json"
    space.write_text('{"total": 1234, "axes": {}}', encoding="utf-8")
    table = tmp_path / "chunk.parquet"
    pd.DataFrame({"spec_id": range(7)}).to_parquet(table)
    assert resources.specifications_in(str(space)) == 1234
    assert resources.specifications_in([str(table), str(table)]) == 14
    # Snakemake defers a job's resources while an input is missing if the error names that input
    missing = str(tmp_path / "chunks" / "0_of_4.parquet")
    with pytest.raises(FileNotFoundError) as error:
        resources.specifications_in([str(table), missing])
    assert error.value.filename == missing
