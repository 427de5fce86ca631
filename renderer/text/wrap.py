"""Balanced line breaking for box labels.

Greedy filling leaves ragged labels such as "First Contact Resolution / Rate"
that read badly when centred in a box. We keep greedy's line count (the
fewest lines that fit) but choose the breaks that make the longest line as
short as possible, then the most even lines.

Break opportunities, from preferred to last resort:
1. at spaces (the space is dropped);
2. after a hyphen, dash or slash inside a word ("time-to-", "client/");
3. between characters of a piece that is wider than the box on its own.
Fewer breaks of a worse kind always win over better balance: a word is only
split when that is needed to reach the fewest lines (or to fit at all).

Widths come from a caller-supplied function, so this module knows nothing of
fonts; it assumes only that adding text to a line never makes it narrower.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise

# Any whitespace except the no-break spaces, which authors use to keep
# "10 %" or "Q3 2024" together.
_SPACES = re.compile(r"[^\S\u00a0\u2007\u202f]+")
# A run of hyphens, dashes or slashes between two other characters; the break
# goes after the run. "-5" and "a-" have nothing on one side and stay whole.
_SEP = "-/\u2010\u2013"
_SOFT_BREAK = re.compile(rf"(?<=[^{_SEP}])[{_SEP}]+(?=[^{_SEP}])")
_HYPHEN = "-"
# Floating-point slack when comparing widths that were summed differently.
_EPS = 1e-9
# Beyond this many (token x line) DP states a paragraph is not a label: the
# greedy result is returned instead of spending seconds on balance.
_MAX_DP_WORK = 200_000

_SPACE, _SOFT, _CHAR = 0, 1, 2


@dataclass(frozen=True, slots=True)
class _Token:
    text: str
    # How this token joins the one before it; also the kind of break there.
    joint: int


def wrap(text: str, max_width: float, width_of: Callable[[str], float]) -> tuple[str, ...]:
    """Lines of `text` that each fit in `max_width`, with balanced breaks.

    "\\n" is a hard break and each paragraph is wrapped on its own; runs of
    whitespace collapse to one space; blank paragraphs at the start and end
    are dropped (YAML block scalars end in a newline), inner ones kept as "".
    The only line that can be wider than `max_width` is a single character
    that is wider on its own.
    """
    if not (max_width > 0 and math.isfinite(max_width)):
        raise ValueError(f"max_width must be a positive number, not {max_width!r}")
    lines: list[str] = []
    for paragraph in _paragraphs(text):
        lines.extend(_wrap_paragraph(paragraph, max_width, width_of) if paragraph else ("",))
    return tuple(lines)


def natural_width(text: str, width_of: Callable[[str], float]) -> float:
    """Width of the longest hard line: the box width at which nothing wraps."""
    return max((width_of(p) for p in _paragraphs(text)), default=0.0)


def _paragraphs(text: str) -> list[str]:
    paragraphs = [" ".join(_SPACES.split(line)).strip(" ") for line in text.split("\n")]
    while paragraphs and not paragraphs[-1]:
        paragraphs.pop()
    while paragraphs and not paragraphs[0]:
        paragraphs.pop(0)
    return paragraphs


def _tokens(paragraph: str, max_width: float, width_of: Callable[[str], float]) -> list[_Token]:
    tokens: list[_Token] = []
    for word in paragraph.split(" "):
        joint = _SPACE
        start = 0
        cuts = [m.end() for m in _SOFT_BREAK.finditer(word)]
        for end in [*cuts, len(word)]:
            part = word[start:end]
            if width_of(part) <= max_width + _EPS:
                tokens.append(_Token(part, joint))
            else:
                chars = _clusters(part)
                tokens.append(_Token(chars[0], joint))
                tokens.extend(_Token(ch, _CHAR) for ch in chars[1:])
            joint, start = _SOFT, end
    return tokens


def _clusters(text: str) -> list[str]:
    """Characters with their combining marks, the smallest safe pieces."""
    out: list[str] = []
    for ch in text:
        if out and unicodedata.combining(ch):
            out[-1] += ch
        else:
            out.append(ch)
    return out


class _Lines:
    """Candidate lines tokens[i:j], their text and width, memoised.

    With `hyphenate`, a line that ends inside a word split between characters
    gets a hyphen, and the hyphen counts towards its width.
    """

    def __init__(
        self,
        tokens: list[_Token],
        max_width: float,
        width_of: Callable[[str], float],
        *,
        hyphenate: bool,
    ) -> None:
        self.tokens = tokens
        self.max_width = max_width
        self.width_of = width_of
        self.hyphenate = hyphenate
        self._memo: dict[tuple[int, int], tuple[str, float, bool]] = {}

    def get(self, i: int, j: int) -> tuple[str, float, bool]:
        """(text, width, fits) of the line made of tokens i..j-1."""
        key = (i, j)
        hit = self._memo.get(key)
        if hit is None:
            toks = self.tokens
            text = toks[i].text + "".join(
                (" " if t.joint == _SPACE else "") + t.text for t in toks[i + 1 : j]
            )
            if self.hyphenate and j < len(toks) and toks[j].joint == _CHAR:
                text += "" if text.endswith(_HYPHEN) else _HYPHEN
            width = self.width_of(text)
            hit = self._memo[key] = (text, width, width <= self.max_width + _EPS)
        return hit

    def text(self, breaks: list[int]) -> tuple[str, ...]:
        return tuple(self.get(i, j)[0] for i, j in pairwise(breaks))

    def score(self, breaks: list[int]) -> tuple[int, int]:
        """(lines, lines that overflow): what hyphens must not make worse."""
        pairs = pairwise(breaks)
        return len(breaks) - 1, sum(not self.get(i, j)[2] for i, j in pairs)


def _wrap_paragraph(
    paragraph: str, max_width: float, width_of: Callable[[str], float]
) -> tuple[str, ...]:
    tokens = _tokens(paragraph, max_width, width_of)
    lines = _Lines(tokens, max_width, width_of, hyphenate=False)
    greedy = _greedy(lines)
    if any(t.joint == _CHAR for t in tokens):
        # Hyphens where a word is split, unless they would cost a line.
        hyphenated = _Lines(tokens, max_width, width_of, hyphenate=True)
        greedy_h = _greedy(hyphenated)
        if hyphenated.score(greedy_h) <= lines.score(greedy):
            lines, greedy = hyphenated, greedy_h
    k = len(greedy) - 1
    if k == 1 or k * len(tokens) > _MAX_DP_WORK:
        return lines.text(greedy)
    # Phase 1: fewest bad breaks, then the shortest longest line.
    phase1 = _best_breaks(lines, k, math.inf, balance=False)
    if phase1 is None:  # pragma: no cover - greedy's breaks are always a solution
        return lines.text(greedy)
    longest = max(lines.get(i, j)[1] for i, j in pairwise(phase1))
    # Phase 2: among those, the most even lines (least sum of squared widths).
    phase2 = _best_breaks(lines, k, longest + _EPS, balance=True)
    return lines.text(phase2 or phase1)


def _greedy(lines: _Lines) -> list[int]:
    """Break positions of first-fit filling, which needs the fewest lines."""
    n = len(lines.tokens)
    breaks = [0]
    while breaks[-1] < n:
        i = breaks[-1]
        j = i + 1
        while j < n and lines.get(i, j + 1)[2]:
            j += 1
        breaks.append(j)
    return breaks


def _best_breaks(lines: _Lines, k: int, limit: float, *, balance: bool) -> list[int] | None:
    """Optimal breaks into exactly k lines, each line no wider than `limit`.

    Cost is compared as a tuple: (character breaks, soft breaks, longest line)
    or, with `balance`, (character breaks, soft breaks, sum of squares).
    Both are minimised exactly by this DP because the counts add up and the
    last component is monotone in the prefix. On ties the later break wins,
    which keeps the upper lines the fuller ones, as in greedy filling. A line
    of one token may overflow: nothing narrower can hold it.
    """
    tokens = lines.tokens
    n = len(tokens)
    inf = (math.inf, math.inf, math.inf)
    # best[m][j]: cost of tokens[:j] in m lines; back[m][j]: start of line m.
    best = [[inf] * (n + 1) for _ in range(k + 1)]
    back = [[0] * (n + 1) for _ in range(k + 1)]
    best[0][0] = (0, 0, 0.0)
    for m in range(1, k + 1):
        # Each of the remaining k - m lines needs at least one token.
        for j in [n] if m == k else range(m, n - (k - m) + 1):
            for i in range(j - 1, m - 2, -1):
                _, width, fits = lines.get(i, j)
                if j > i + 1 and not (fits and width <= limit):
                    break  # lines only get wider as they start earlier
                prev = best[m - 1][i]
                if prev[0] == math.inf:
                    continue
                chars, softs = prev[0], prev[1]
                if i > 0:
                    chars += tokens[i].joint == _CHAR
                    softs += tokens[i].joint == _SOFT
                last = prev[2] + width * width if balance else max(prev[2], width)
                cost = (chars, softs, last)
                if cost < best[m][j]:
                    best[m][j] = cost
                    back[m][j] = i
    if best[k][n][0] == math.inf:
        return None
    breaks = [n]
    for m in range(k, 0, -1):
        breaks.append(back[m][breaks[-1]])
    breaks.reverse()
    return breaks
