"""Human durations for --ttl: "4h", "90m", "1h30m", "2d", "0" (off); a bare number means hours."""

import re

from cli_commands.errors import UserError

_PART = re.compile(r"(\d+(?:\.\d+)?)([smhd])")
_HOURS = {"s": 1 / 3600, "m": 1 / 60, "h": 1.0, "d": 24.0}


def parse_hours(text: str) -> float:
    text = text.strip().lower()
    try:
        value = float(text)
    except ValueError:
        pass
    else:
        if value < 0:
            raise UserError(f"invalid duration {text!r}: must not be negative")
        return value
    parts = _PART.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise UserError(f"invalid duration {text!r}: use e.g. 4h, 90m, 1h30m, 2d or 0 to disable")
    return sum(float(number) * _HOURS[unit] for number, unit in parts)


def format_remaining(seconds: float) -> str:
    if seconds <= 0:
        return "expired"
    minutes, _ = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m"
