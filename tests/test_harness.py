"""The test harness itself: what the suite's speed and isolation rely on."""

from __future__ import annotations

import pytest


@pytest.mark.xdist_group("harness")
def test_xdist_keeps_a_group_on_one_worker(request):
    """Tests of one xdist_group share a fixture that is expensive (a render) or that they edit in turn
    (test_incremental.py). pytest-xdist 3.8 marks the group in the node id, and pytest 9.2 no longer
    lets it (pytest-xdist#1386): the groups are then spread over the workers without a word, and each
    worker builds its own copy. requirements.lock pins a pytest it works with."""
    if not getattr(request.config.option, "loadgroup", False):  # set on xdist workers under loadgroup
        pytest.skip("not run by a pytest-xdist worker under --dist loadgroup")
    assert request.node.nodeid.endswith("@harness"), (
        f"--dist loadgroup did not group {request.node.nodeid}: this pytest and pytest-xdist do not "
        "work together (see requirements.lock)"
    )
