"""Clock parsing: the many-clocks path gives exactly what parsing each clock alone gives."""

from __future__ import annotations

import pytest

from cleaners.timecodes import parse_clock, parse_clocks

CASES = {
    # a caption page's markers: one shape, so numpy reads them
    "page markers": ["00:00:00", "00:00:02", "01:59:59", "02:22:17"],
    "minutes past 60 without hours": ["114:27", "062:03", "000:59"],
    "minutes past 60 with hours is no clock": ["00:61:00", "01:02:03"],
    "seconds past 59 is no clock": ["00:00:60", "00:01:02"],
    "one-digit fields": ["1:2:3", "9:9:9"],
    "too many hour digits": ["123456:00:00", "000001:00:00"],
    # mixed shapes and fractions: the general path
    "mixed shapes": ["1:02:03", "12:34", "00:00:01,500", "0:00:01.5"],
    "spaces around": [" 00:01:02", "00:01:02 "],
    "not clocks": ["ab:cd:ef", "00:00", "::::::::"],
    "non-ASCII digits": ["٠٠:٠١:٠٢", "00:01:02"],
}


@pytest.mark.parametrize("clocks", CASES.values(), ids=list(CASES))
def test_many_clocks_parse_as_each_alone(clocks):
    got = parse_clocks(clocks)
    assert got == [parse_clock(c) for c in clocks]
    assert [type(v) for v in got] == [type(parse_clock(c)) for c in clocks]


def test_page_markers_are_seconds():
    assert parse_clocks(["00:00:02", "01:02:03", "00:61:00"]) == [2.0, 3723.0, None]
