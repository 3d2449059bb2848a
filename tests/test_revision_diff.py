"""The body's line diff: right on ordinary edits, bounded on the worst shapes at the limit."""

import random
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from app.core.db import Database
from app.posts.models import BODY_MAX
from app.revisions.diff import LineDiff, line_diff, lines_of
from tests.cost import cpu_seconds
from tests.factories import make_account

# Generous: the diffs below take a few tenths of a second on a slow machine.
CPU_BOUND_SECONDS = 2.5


def applied(old: str, diff: LineDiff) -> list[str]:
    """The new text's lines, made from the old text and the hunks alone."""
    old_lines, new_lines, position = lines_of(old), [], 0
    for hunk in diff.hunks:
        new_lines += old_lines[position : hunk.old_start - 1]
        new_lines += [line.text for line in hunk.lines if line.kind != "removed"]
        assert sum(line.kind != "removed" for line in hunk.lines) == hunk.new_lines
        assert sum(line.kind != "added" for line in hunk.lines) == hunk.old_lines
        position = hunk.old_start - 1 + hunk.old_lines
    return new_lines + old_lines[position:]


def test_the_hunks_turn_the_old_text_into_the_new() -> None:
    chance = random.Random(19)
    for _ in range(2000):
        old = "\n".join(chance.choice("abcde") for _ in range(chance.randint(0, 30)))
        new = "\n".join(chance.choice("abcde") for _ in range(chance.randint(0, 30)))
        diff = line_diff(old, new)
        assert applied(old, diff) == lines_of(new)
        assert diff.minimal


def test_an_edit_in_a_long_text_is_shown_exactly() -> None:
    paragraphs = [f"Absatz {number} mit etwas Text." for number in range(2000)]
    edited = [*paragraphs]
    edited[500] = "Ein neuer Absatz."
    del edited[1500]
    edited.insert(10, "Eingefügt.")
    diff = line_diff("\n".join(paragraphs), "\n".join(edited))
    assert diff.minimal
    changes = [
        (line.kind, line.text) for hunk in diff.hunks for line in hunk.lines
        if line.kind != "context"
    ]  # fmt: skip
    assert changes == [
        ("added", "Eingefügt."),
        ("removed", "Absatz 500 mit etwas Text."),
        ("added", "Ein neuer Absatz."),
        ("removed", "Absatz 1500 mit etwas Text."),
    ]
    assert [hunk.old_start for hunk in diff.hunks] == [8, 498, 1498]


def _fill(pattern: str) -> str:
    return (pattern * (BODY_MAX // len(pattern) + 1))[:BODY_MAX]


_chance = random.Random(7)
HOSTILE: dict[str, Callable[[], tuple[str, str]]] = {
    "empty lines against short ones": lambda: ("\n" * BODY_MAX, _fill("a\n")),
    "alternating lines, swapped": lambda: (_fill("a\nb\n"), _fill("b\na\n")),
    "one line repeated against another": lambda: (_fill("a\n"), _fill("b\n")),
    "three lines rotated": lambda: (_fill("a\nb\nc\n"), _fill("c\nb\na\n")),
    "random short lines": lambda: (
        "\n".join(_chance.choice("ab") for _ in range(BODY_MAX // 2)),
        "\n".join(_chance.choice("ab") for _ in range(BODY_MAX // 2)),
    ),
    "unique lines shuffled": lambda: (
        "\n".join(str(number) for number in range(BODY_MAX // 7)),
        "\n".join(str(number) for number in _chance.sample(range(BODY_MAX // 7), BODY_MAX // 7)),
    ),
    "unique lines among repeated ones": lambda: (
        "\n".join(f"{number}\nx\ny" for number in range(BODY_MAX // 12)),
        "\n".join(f"{number}\ny\nx" for number in range(BODY_MAX // 12)),
    ),
    "one huge line changed at its end": lambda: ("x" * BODY_MAX, "x" * (BODY_MAX - 1) + "y"),
}


@pytest.mark.parametrize("shape", HOSTILE, ids=str)
def test_the_worst_shapes_at_the_limit_cost_well_under_a_second(shape: str) -> None:
    old, new = HOSTILE[shape]()
    assert len(old) <= BODY_MAX
    assert len(new) <= BODY_MAX
    found: list[LineDiff] = []
    cost = cpu_seconds(lambda: found.append(line_diff(old, new)))
    assert cost < CPU_BOUND_SECONDS, f"{shape}: {cost:.2f} s"
    # Bounded, yet still a diff that turns one into the other.
    assert applied(old, found[0]) == lines_of(new)


def test_a_hostile_revision_is_served_within_the_bound(client: TestClient, db: Database) -> None:
    editor = make_account(db)
    old, new = _fill("a\nb\n"), _fill("b\na\n")
    created = client.post(
        "/api/v1/posts", json={"title": "Lang", "body": old}, headers=editor.headers
    )
    assert created.status_code == 201
    post_id = created.json()["id"]
    patched = client.patch(f"/api/v1/posts/{post_id}", json={"body": new}, headers=editor.headers)
    assert patched.status_code == 200
    responses = []
    cost = cpu_seconds(
        lambda: responses.append(
            client.get(f"/api/v1/posts/{post_id}/revisions/2", headers=editor.headers)
        ),
        all_threads=True,
    )
    assert responses[0].status_code == 200
    diff = responses[0].json()["body_diff"]
    assert diff["minimal"] is False
    assert cost < 2 * CPU_BOUND_SECONDS, f"{cost:.2f} s"
