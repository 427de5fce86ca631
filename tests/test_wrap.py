"""Balanced wrapping: every line fits, no word is lost, breaks are sensible."""

from __future__ import annotations

import random

import pytest

from renderer.text.measure import width_of
from renderer.text.wrap import natural_width, wrap


def mono(text: str) -> float:
    """One unit per character: makes expectations easy to read."""
    return float(len(text))


def words(text: str) -> list[str]:
    return text.split()


def test_empty_and_blank_text_give_no_lines() -> None:
    assert wrap("", 10, mono) == ()
    assert wrap("  \n \t\n", 10, mono) == ()
    assert natural_width("", mono) == 0.0


def test_text_that_fits_stays_on_one_line() -> None:
    assert wrap("First Contact Resolution", 24, mono) == ("First Contact Resolution",)
    assert wrap("First Contact Resolution", 100, mono) == ("First Contact Resolution",)


def test_whitespace_runs_collapse() -> None:
    assert wrap("  a \t  b   c  ", 100, mono) == ("a b c",)
    assert natural_width("  a \t  b   c  ", mono) == 5.0


def test_hard_breaks_are_kept_and_wrapped_separately() -> None:
    assert wrap("Revenue\nper member", 100, mono) == ("Revenue", "per member")
    assert wrap("aaa bbb\nccc", 3, mono) == ("aaa", "bbb", "ccc")
    assert wrap("a\n\nb", 10, mono) == ("a", "", "b")
    assert wrap("a\r\nb", 10, mono) == ("a", "b")


def test_blank_paragraphs_at_the_ends_are_dropped() -> None:
    # YAML block scalars end in a newline.
    assert wrap("Net Promoter Score\n", 100, mono) == ("Net Promoter Score",)
    assert wrap("\n\nNPS", 100, mono) == ("NPS",)


def test_natural_width_is_the_longest_hard_line() -> None:
    assert natural_width("ab\nabcd\nabc", mono) == 4.0


def test_balanced_not_greedy() -> None:
    # Greedy at 20 gives "Average handle time" / "per agent" / ... ragged lines;
    # balanced uses the same number of lines with the shortest longest line.
    text = "Average handle time per agent in minutes"
    lines = wrap(text, 20, mono)
    assert len(lines) == 2
    assert lines == ("Average handle time", "per agent in minutes")


def test_no_orphan_when_a_better_break_exists() -> None:
    # Greedy: "aaa bbb ccc" / "d". Balanced: two lines of similar length.
    assert wrap("aaa bbb ccc d", 11, mono) == ("aaa bbb", "ccc d")


def test_first_contact_resolution() -> None:
    # Two words per line fit: the min-max split keeps "First Contact" together.
    assert wrap("First Contact Resolution", 14, mono) == ("First Contact", "Resolution")
    # With "Rate" the balanced split is 13/15 rather than greedy's 24/4.
    assert wrap("First Contact Resolution Rate", 24, mono) == (
        "First Contact",
        "Resolution Rate",
    )


def test_same_line_count_as_greedy() -> None:
    rng = random.Random(7)
    vocab = ["a", "of", "net", "rate", "score", "member", "resolution", "contact"]
    for _ in range(300):
        text = " ".join(rng.choice(vocab) for _ in range(rng.randint(1, 12)))
        width = rng.randint(10, 40)
        lines = wrap(text, width, mono)
        assert len(lines) == len(_greedy(text, width))


def test_long_word_is_split_into_fewest_fitting_pieces() -> None:
    lines = wrap("Supercalifragilisticexpialidocious", 10, mono)
    assert len(lines) == 4  # 34 characters + hyphens in pieces of at most 10
    assert all(len(line) <= 10 for line in lines)
    assert "".join(line.removesuffix("-") for line in lines) == "Supercalifragilisticexpialidocious"
    assert all(line.endswith("-") for line in lines[:-1])


def test_long_word_without_room_for_a_hyphen() -> None:
    lines = wrap("abcdef", 1, mono)
    assert lines == ("a", "b", "c", "d", "e", "f")


def test_a_single_glyph_wider_than_the_box_is_the_only_overflow() -> None:
    assert wrap("W", 0.5, mono) == ("W",)


def test_long_word_among_short_ones() -> None:
    lines = wrap("a Supercalifragilistic b", 8, mono)
    assert all(len(line) <= 8 for line in lines)
    assert _joined(lines) == "aSupercalifragilisticb"


def test_breaks_after_hyphens_and_slashes_only_when_needed() -> None:
    # Fits in two lines at spaces: the hyphenated word stays whole.
    assert wrap("Mean time-to-resolve", 15, mono) == ("Mean", "time-to-resolve")
    assert wrap("state-of-the-art method", 16, mono) == ("state-of-the-art", "method")
    # Too long for a line: broken after a hyphen, not inside a part.
    assert wrap("state-of-the-art", 10, mono) == ("state-of-", "the-art")
    assert wrap("client/server", 8, mono) == ("client/", "server")


def test_leading_and_doubled_hyphens_are_not_break_points() -> None:
    assert wrap("-5% growth", 6, mono) == ("-5%", "growth")
    assert wrap("a--b", 3, mono) == ("a--", "b")
    assert wrap("ab- cd", 3, mono) == ("ab-", "cd")


def test_no_break_spaces_hold_words_together() -> None:
    lines = wrap("Q3\u00a02024 revenue", 8, mono)
    assert lines == ("Q3\u00a02024", "revenue")


def test_combining_marks_stay_with_their_letter() -> None:
    lines = wrap("cafe\u0301cafe\u0301", 3, mono)
    assert all("\u0301" not in line[:1] for line in lines)
    assert "".join(line.removesuffix("-") for line in lines) == "cafe\u0301cafe\u0301"


def test_invalid_width_is_rejected() -> None:
    for bad in (0, -1, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="max_width"):
            wrap("a", bad, mono)


def test_deterministic() -> None:
    text = "Average speed of answer across all member service queues"
    assert len({wrap(text, 17, mono) for _ in range(20)}) == 1


def test_properties_on_random_text_with_real_font_widths() -> None:
    rng = random.Random(20240611)
    width = width_of(16)
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789%()-/"
    for _ in range(400):
        text = " ".join(
            "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 18)))
            for _ in range(rng.randint(1, 10))
        )
        max_width = rng.uniform(20, 260)
        lines = wrap(text, max_width, width)
        assert lines, text
        assert all(width(line) <= max_width + 1e-9 for line in lines), (text, max_width, lines)
        # Nothing lost, nothing reordered: only spaces and added hyphens differ.
        assert _joined(lines, text) == text.replace(" ", "")
        assert lines == wrap(text, max_width, width)


def test_balance_is_optimal_on_small_cases() -> None:
    """Brute force over all breakings confirms the min-max choice."""
    rng = random.Random(3)
    vocab = ["a", "bb", "ccc", "dddd", "eeeee", "ffffff"]
    for _ in range(200):
        ws = [rng.choice(vocab) for _ in range(rng.randint(2, 8))]
        width = rng.randint(6, 14)
        lines = wrap(" ".join(ws), width, mono)
        best = min(
            max(len(line) for line in candidate)
            for candidate in _all_breakings(ws)
            if len(candidate) == len(lines) and all(len(line) <= width for line in candidate)
        )
        assert max(len(line) for line in lines) == best, (ws, width, lines)


def test_fast_enough_for_layout() -> None:
    import time

    width = width_of(18)
    start = time.perf_counter()
    for _ in range(200):
        wrap("Average handle time per agent in minutes, last 30 days", 160, width)
    assert (time.perf_counter() - start) / 200 < 0.002


def _greedy(text: str, width: int) -> list[str]:
    lines: list[str] = []
    for word in words(text):
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def _all_breakings(ws: list[str]) -> list[list[str]]:
    out = []
    for mask in range(1 << (len(ws) - 1)):
        lines, current = [], [ws[0]]
        for i, word in enumerate(ws[1:]):
            if mask >> i & 1:
                lines.append(" ".join(current))
                current = [word]
            else:
                current.append(word)
        lines.append(" ".join(current))
        out.append(lines)
    return out


def _joined(lines: tuple[str, ...], original: str = "") -> str:
    """Lines glued back without spaces, dropping hyphens that wrapping added."""
    source = original.replace(" ", "")
    out = ""
    for line in lines:
        piece = line.replace(" ", "")
        if piece.endswith("-") and not source[len(out) :].startswith(piece):
            piece = piece[:-1]
        out += piece
    return out
