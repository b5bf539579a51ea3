"""Pages cut by count and by characters: every item on exactly one page, no page over either bound
unless one item alone is larger than the room (it then has a page of its own)."""

from __future__ import annotations

import pytest

from commands.pages import paginate


@pytest.mark.parametrize(
    ("sizes", "per_page", "room", "expected"),
    [
        ([], 10, 100, [[]]),
        ([10] * 5, 2, 100, [[0, 1], [2, 3], [4]]),  # by count
        ([40] * 5, 10, 100, [[0, 1], [2, 3], [4]]),  # by characters
        ([60, 50, 10, 100], 10, 100, [[0], [1, 2], [3]]),
        ([500, 10], 10, 100, [[0], [1]]),  # too large alone: a page of its own, never skipped
        ([100, 1], 10, 100, [[0], [1]]),
    ],
)
def test_paginate(sizes, per_page, room, expected):
    pages = paginate(sizes, per_page, room)
    assert [list(p) for p in pages] == expected
    assert [i for p in pages for i in p] == list(range(len(sizes)))
