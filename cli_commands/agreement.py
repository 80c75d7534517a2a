"""How often regions agree: top labels per image and region in, agreement figures out. Pure.

Behind one global endpoint a caller's answer depends on the region it is routed to, and each region trained its
own model; these figures say how much that matters. Two regions agree on an image when their top labels are the
same (no label at all counts as an answer, "(none)"); an image only one of them answered does not count.
"""

from __future__ import annotations

from itertools import combinations

NONE = "(none)"


def pairwise(top: dict[str, dict[str, str]], regions: list[str]) -> dict[str, dict[str, float | None]]:
    """agreement[a][b]: the fraction of images both answered on which a and b give the same top label."""
    matrix: dict[str, dict[str, float | None]] = {a: {} for a in regions}
    for a in regions:
        matrix[a][a] = 1.0
    for a, b in combinations(regions, 2):
        both = [labels for labels in top.values() if a in labels and b in labels]
        value = sum(labels[a] == labels[b] for labels in both) / len(both) if both else None
        matrix[a][b] = matrix[b][a] = value
    return matrix


def overall(matrix: dict[str, dict[str, float | None]]) -> float | None:
    """Mean agreement over every pair of regions."""
    values = [matrix[a][b] for a, b in combinations(list(matrix), 2) if matrix[a][b] is not None]
    return sum(values) / len(values) if values else None


def unanimous(top: dict[str, dict[str, str]], regions: list[str]) -> float | None:
    """The fraction of images on which every region answered and all gave the same top label."""
    answered = [labels for labels in top.values() if all(region in labels for region in regions)]
    if not answered:
        return None
    return sum(len({labels[r] for r in regions}) == 1 for labels in answered) / len(answered)


def disagree_most(matrix: dict[str, dict[str, float | None]], count: int = 3) -> list[tuple[str, float]]:
    """Regions by their mean agreement with the others, lowest first (at most `count`)."""
    means = []
    for region, row in matrix.items():
        others = [value for other, value in row.items() if other != region and value is not None]
        if others:
            means.append((region, sum(others) / len(others)))
    return sorted(means, key=lambda item: (item[1], item[0]))[:count]


def majority(labels: dict[str, str]) -> str:
    """The most common top label of an image (ties: alphabetical)."""
    counts: dict[str, int] = {}
    for label in labels.values():
        counts[label] = counts.get(label, 0) + 1
    return min(counts, key=lambda label: (-counts[label], label))
