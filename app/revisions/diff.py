"""A line diff of two bodies whose cost is bounded whatever the text.

Bodies are up to 200,000 characters of anyone's text, and the classic algorithms are slow on
the wrong shapes: difflib's SequenceMatcher and Myers' diff take time in proportion to the
product of the lengths, or to the lengths times the number of differences, on many short
repeated lines. This diff is a patience diff: lines common to both sides are taken off their
ends, lines that occur exactly once on each side anchor the matching (the longest run of them
in the same order), and the gaps between anchors are diffed the same way, down to gaps small
enough for an exact longest-common-subsequence table. Every step is paid for from a fixed
budget of work, counted in lines and table cells: a gap that would exceed it, or that has no
anchor and is too large for a table, is shown as replaced whole, and the diff says it is not
minimal. So the cost is linear in the lines (with a logarithm for the anchors) and capped by
the budget, and ordinary edits, a few changed paragraphs in a long text, come out exact.
"""

from bisect import bisect_left
from collections import Counter
from typing import Literal, NamedTuple

# Lines and table cells one diff may look at: a few hundred milliseconds of CPU at most.
BUDGET = 2_000_000
# Gaps without anchors up to this many cells (lines × lines) are matched exactly.
TABLE_CELLS_MAX = 4_096
CONTEXT_LINES = 3

LineKind = Literal["context", "removed", "added"]


class DiffLine(NamedTuple):
    kind: LineKind
    text: str


class Hunk(NamedTuple):
    """A run of changes with up to ``CONTEXT_LINES`` unchanged lines around it; starts are
    line numbers from 1 (as in a unified diff), counts how many lines of each side it shows."""

    old_start: int
    old_lines: int
    new_start: int
    new_lines: int
    lines: list[DiffLine]


class LineDiff(NamedTuple):
    hunks: list[Hunk]
    # False when a part was shown as replaced whole to stay within the budget.
    minimal: bool


class _Region(NamedTuple):
    a_low: int
    a_high: int
    b_low: int
    b_high: int


def lines_of(text: str) -> list[str]:
    """A body's lines: split at line feeds only, as Markdown is written."""
    return text.split("\n") if text else []


def line_diff(old: str, new: str, *, budget: int = BUDGET) -> LineDiff:
    """The differences between two texts, line by line, grouped in hunks."""
    a, b = lines_of(old), lines_of(new)
    # Lines as numbers: comparing and hashing them is then cheap however long they are.
    numbers: dict[str, int] = {}
    a_ids = [numbers.setdefault(line, len(numbers)) for line in a]
    b_ids = [numbers.setdefault(line, len(numbers)) for line in b]
    pairs, minimal = _matching(a_ids, b_ids, budget)
    return LineDiff(_hunks(a, b, pairs), minimal)


def _matching(a: list[int], b: list[int], budget: int) -> tuple[list[tuple[int, int]], bool]:
    """Pairs (i, j) of equal lines, increasing on both sides, and whether the budget sufficed."""
    pairs: list[tuple[int, int]] = []
    minimal = True
    work = 0
    stack = [_Region(0, len(a), 0, len(b))]
    while stack:
        a_low, a_high, b_low, b_high = stack.pop()
        while a_low < a_high and b_low < b_high and a[a_low] == b[b_low]:
            pairs.append((a_low, b_low))
            a_low, b_low = a_low + 1, b_low + 1
        while a_low < a_high and b_low < b_high and a[a_high - 1] == b[b_high - 1]:
            a_high, b_high = a_high - 1, b_high - 1
            pairs.append((a_high, b_high))
        if a_low == a_high or b_low == b_high:
            continue
        size = (a_high - a_low) + (b_high - b_low)
        cells = (a_high - a_low) * (b_high - b_low)
        if cells <= TABLE_CELLS_MAX:
            if work + cells > budget:
                minimal = False
                continue
            work += cells
            pairs += _table(a, b, _Region(a_low, a_high, b_low, b_high))
            continue
        if work + size > budget:
            minimal = False
            continue
        work += size
        anchors = _anchors(a, b, _Region(a_low, a_high, b_low, b_high))
        work += len(anchors)
        if not anchors:
            minimal = False  # nothing to hold on to, and too large for a table
            continue
        pairs += anchors
        # The gaps before, between and after the anchors.
        starts = [(a_low, b_low)] + [(i + 1, j + 1) for i, j in anchors]
        ends = [*anchors, (a_high, b_high)]
        for (i_start, j_start), (i_end, j_end) in zip(starts, ends, strict=True):
            if i_start < i_end and j_start < j_end:
                stack.append(_Region(i_start, i_end, j_start, j_end))
    pairs.sort()
    return pairs, minimal


def _anchors(a: list[int], b: list[int], region: _Region) -> list[tuple[int, int]]:
    """The longest run, in order on both sides, of lines found exactly once on each."""
    a_counts = Counter(a[region.a_low : region.a_high])
    b_counts = Counter(b[region.b_low : region.b_high])
    in_b = {
        b[j]: j
        for j in range(region.b_low, region.b_high)
        if b_counts[b[j]] == 1 and a_counts[b[j]] == 1
    }
    candidates = [(i, in_b[a[i]]) for i in range(region.a_low, region.a_high) if a[i] in in_b]
    # Longest increasing subsequence of the b positions (patience sorting).
    tails: list[int] = []  # the smallest b position ending a run of each length
    tail_index: list[int] = []
    previous: list[int] = []
    for index, (_i, j) in enumerate(candidates):
        length = bisect_left(tails, j)
        if length == len(tails):
            tails.append(j)
            tail_index.append(index)
        else:
            tails[length] = j
            tail_index[length] = index
        previous.append(tail_index[length - 1] if length else -1)
    run: list[tuple[int, int]] = []
    index = tail_index[-1] if tail_index else -1
    while index >= 0:
        run.append(candidates[index])
        index = previous[index]
    run.reverse()
    return run


def _table(a: list[int], b: list[int], region: _Region) -> list[tuple[int, int]]:
    """An exact longest common subsequence of a small region."""
    a_part, b_part = a[region.a_low : region.a_high], b[region.b_low : region.b_high]
    rows, columns = len(a_part), len(b_part)
    # lengths[i][j]: the longest common subsequence of a_part[i:] and b_part[j:].
    lengths = [[0] * (columns + 1) for _ in range(rows + 1)]
    for i in range(rows - 1, -1, -1):
        here, below = lengths[i], lengths[i + 1]
        for j in range(columns - 1, -1, -1):
            if a_part[i] == b_part[j]:
                here[j] = below[j + 1] + 1
            else:
                here[j] = max(below[j], here[j + 1])
    pairs: list[tuple[int, int]] = []
    i = j = 0
    while i < rows and j < columns:
        if a_part[i] == b_part[j]:
            pairs.append((region.a_low + i, region.b_low + j))
            i, j = i + 1, j + 1
        elif lengths[i + 1][j] >= lengths[i][j + 1]:
            i += 1
        else:
            j += 1
    return pairs


def _hunks(a: list[str], b: list[str], pairs: list[tuple[int, int]]) -> list[Hunk]:
    """The changes between the matched lines, with their context, grouped in hunks."""
    # Each entry: (a position, b position, kind): the whole edit script, in order.
    script: list[tuple[int, int, LineKind]] = []
    i = j = 0
    for match_i, match_j in [*pairs, (len(a), len(b))]:
        script += [(k, j, "removed") for k in range(i, match_i)]
        script += [(match_i, k, "added") for k in range(j, match_j)]
        if match_i < len(a):
            script.append((match_i, match_j, "context"))
        i, j = match_i + 1, match_j + 1
    changes = [index for index, step in enumerate(script) if step[2] != "context"]
    hunks: list[Hunk] = []
    start = 0
    while start < len(changes):
        end = start
        # Changes closer than twice the context share a hunk.
        while end + 1 < len(changes) and changes[end + 1] - changes[end] <= 2 * CONTEXT_LINES:
            end += 1
        first = max(changes[start] - CONTEXT_LINES, 0)
        last = min(changes[end] + CONTEXT_LINES, len(script) - 1)
        hunks.append(_hunk(a, b, script[first : last + 1]))
        start = end + 1
    return hunks


def _hunk(a: list[str], b: list[str], steps: list[tuple[int, int, LineKind]]) -> Hunk:
    lines = [DiffLine(kind, b[j] if kind == "added" else a[i]) for i, j, kind in steps]
    old_lines = sum(1 for _i, _j, kind in steps if kind != "added")
    new_lines = sum(1 for _i, _j, kind in steps if kind != "removed")
    first_i, first_j, _kind = steps[0]
    return Hunk(first_i + 1, old_lines, first_j + 1, new_lines, lines)
