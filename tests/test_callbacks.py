"""Button data: what each press encodes to, within Telegram's 64 bytes, and back."""

from __future__ import annotations

import pytest

from bot.callbacks import (
    Press,
    ShowList,
    ShowMyth,
    ShowSources,
    Top5Step,
    Vote,
    decode,
    encode,
    is_show,
    is_top5,
    is_vote,
)


@pytest.mark.parametrize(("press", "data"), [
    (ShowMyth("salary"), "m:salary"), (ShowList(), "list"), (ShowSources(), "src"),
    (Top5Step(3), "t5:3"), (Vote("salary", True), "v:salary:1"),
    (Vote("salary", False), "v:salary:0"),
])
def test_each_press_reads_back_as_it_was_written(press: Press, data: str) -> None:
    assert encode(press) == data and decode(data) == press
    assert len(data.encode()) <= 64


@pytest.mark.parametrize("data", ["t5:²", "t5:٣", "t5:", "t5:-1", "v:salary:2", "v::1",
                                  "m:", "lists", "x:1", "", None])
def test_data_this_version_did_not_write_reads_as_nothing(data: object) -> None:
    assert decode(data) is None
    assert not (is_show(data) or is_top5(data) or is_vote(data))


def test_each_handler_pattern_takes_its_own_kind_only() -> None:
    assert is_show("m:salary") and is_show("list") and is_show("src")
    assert is_top5("t5:2") and not is_show("t5:2")
    assert is_vote("v:salary:1") and not is_show("v:salary:1")
