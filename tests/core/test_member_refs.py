"""The convention by which ritual data names members, and what linking and forgetting do to it."""

from hub.core.model.member_refs import names, renamed, without


def test_a_record_names_a_member_under_a_member_key_only() -> None:
    assert names({"by": 7, "member": 8, "why": "merci"}, 8)
    assert not names({"points": 8, "rank": 8, "week": "2026-W48"}, 8)
    assert not names({"top": [{"member_id": 8}]}, 8)  # nested: an entry, not the record


def test_a_link_renames_references_at_every_depth_and_nothing_else() -> None:
    data = {"from": 9, "points": 9, "top": [{"member_id": 9, "rank": 1}, {"member_id": 3}]}
    assert renamed(data, 9, 2) == {
        "from": 2,
        "points": 9,
        "top": [{"member_id": 2, "rank": 1}, {"member_id": 3}],
    }


def test_forgetting_leaves_out_the_list_entries_naming_the_member() -> None:
    data = {"week": "2026-W48", "top": [{"member_id": 9, "points": 40}, {"member_id": 3}]}
    assert without(data, 9) == {"week": "2026-W48", "top": [{"member_id": 3}]}
