"""Let list options take several values after one flag: `--versions first second`, as the seed's users type it.

Click gives an option one value per occurrence; this command class rewrites `--versions a b` into
`--versions a --versions b` before parsing (values run until the next token that starts with '-').
"""

from typer.core import TyperCommand

MULTI_VALUE_OPTIONS = frozenset({"--versions", "--version", "-v", "--region", "-r"})


def expand_multi_values(args: list[str], options: frozenset[str] = MULTI_VALUE_OPTIONS) -> list[str]:
    expanded: list[str] = []
    index = 0
    while index < len(args):
        token = args[index]
        if token == "--":  # nosec B105 - "--" ends the options, not a password
            expanded.extend(args[index:])
            break
        name, has_value, inline = token.partition("=")
        if name in options:
            values = [inline] if has_value else []
            index += 1
            while not has_value and index < len(args) and not args[index].startswith("-"):
                values.append(args[index])
                index += 1
            if not values:
                expanded.append(token)  # let Click report the missing value
            for value in values:
                expanded += [name, value]
            continue
        expanded.append(token)
        index += 1
    return expanded


class MultiValueCommand(TyperCommand):
    def parse_args(self, ctx, args):
        return super().parse_args(ctx, expand_multi_values(list(args)))
