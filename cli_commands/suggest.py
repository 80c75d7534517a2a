""""did you mean ...?" for names close to existing ones (difflib, as git and Click do)."""

import difflib


def did_you_mean(name: str, known, n: int = 3) -> str:
    """` (did you mean X?)` when one or more known names are close to `name`, else an empty string."""
    close = difflib.get_close_matches(name, sorted(set(known)), n=n, cutoff=0.6)
    if not close:
        return ""
    return f" (did you mean {' or '.join(close)}?)"
