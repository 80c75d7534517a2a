"""Settings, names and the local-stack auto-detection every command shares."""

import os
from pathlib import Path

from cli_commands.errors import UserError
from cli_commands.invocation import cli_command


def local_stack_dir() -> Path:
    from configuration.settings import PROJECT_ROOT

    return Path(os.environ.get("GCL_STATE_DIR") or PROJECT_ROOT / ".local-stack").resolve()


def local_stack_running() -> bool:
    """True when `local up` started a stack from the state folder and its local AWS endpoint is alive."""
    from local_stack import processes

    pids = local_stack_dir() / "pids"
    return processes.is_alive(processes.read_record(pids, "localaws"))


def use_local_stack_if_running() -> bool:
    """Point this process at the running local stack, unless the user chose endpoints explicitly.

    So that `python cli.py start --versions first second` works as written after `local up`, without
    sourcing .local-stack/env. Explicit AWS_ENDPOINT_URL / TEMPORAL_ADDRESS / TEMPORAL_PROFILE win, and
    GCL_USE_LOCAL_STACK=0 turns the detection off.

    A stack that `local up` started and that was not taken down by `local down` (its pid files are still
    there) but whose processes died is never silently replaced by real AWS credentials and localhost:7233:
    that is one error line saying what died and what to do.
    """
    if os.environ.get("GCL_USE_LOCAL_STACK") == "0":
        return False
    if any(os.environ.get(k) for k in ("AWS_ENDPOINT_URL", "TEMPORAL_ADDRESS", "TEMPORAL_PROFILE")):
        return False
    env_file = local_stack_dir() / "env"
    if not env_file.is_file():
        return False
    dead = dead_components()
    if dead:
        raise UserError(
            f"the local stack in {local_stack_dir()} is down ({', '.join(dead)} exited) and was not stopped with "
            f"`local down`: run `{cli_command('local up')}` to restart it, or `{cli_command('local down')}` (or "
            "GCL_USE_LOCAL_STACK=0) to use real AWS and your Temporal settings")
    if not local_stack_running():
        return False
    from local_stack.stack import read_env_file

    apply_local_stack_environment(read_env_file(env_file), override=False)
    return True


def dead_components() -> list[str]:
    """Components whose pid file `local up` wrote but whose process is gone (a crash, not `local down`)."""
    from local_stack import processes

    pids = local_stack_dir() / "pids"
    return sorted(path.stem for path in pids.glob("*.pid")
                  if not processes.is_alive(processes.read_record(pids, path.stem)))


def apply_local_stack_environment(values: dict[str, str], override: bool) -> None:
    """Make this process use the stack's endpoints, fake keys and no Temporal profile file.

    Real AWS keys, a Temporal Cloud API key or TLS settings are removed: they must never reach the local
    endpoints (and TEMPORAL_API_KEY would turn TLS on against the plaintext dev server).
    """
    for key, value in values.items():
        if override:
            os.environ[key] = value
        else:
            os.environ.setdefault(key, value)
    forced = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",  # nosec B105 - fake keys
              "TEMPORAL_CONFIG_FILE": os.devnull}
    for key, fallback in forced.items():
        os.environ[key] = values.get(key, fallback)
    for key in [k for k in os.environ if k in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "TEMPORAL_API_KEY")
                or k.startswith("TEMPORAL_TLS")]:
        os.environ.pop(key)


def load_settings():
    """Settings shared with Terraform (errors are ConfigFileError/UnknownRegionError: one line each)."""
    from configuration.settings import load_settings as load

    return load()


def resolve_resources(settings):
    from configuration.resources import resolve_resources as resolve

    return resolve(settings)


def project_name(value: str | None, settings) -> str:
    from configuration.names import validate_name

    return validate_name("project name", value or settings.project_name)


def version_names(values: list[str] | None) -> list[str]:
    from configuration.names import validate_name

    names = [validate_name("version name", v) for v in values or []]
    if len(set(names)) != len(names):
        raise UserError(f"version listed twice in {names}")
    return names


def selected_regions(values: list[str] | None, settings) -> list[str]:
    """A subset of the configured regions (all when none given)."""
    if not values:
        return list(settings.regions)
    unknown = [r for r in values if r not in settings.regions]
    if unknown:
        from cli_commands.suggest import did_you_mean

        hint = did_you_mean(unknown[0], settings.regions, n=1)
        raise UserError(f"unknown region(s) {', '.join(unknown)}{hint}: configured regions are "
                        f"{', '.join(settings.regions)}")
    return list(dict.fromkeys(values))
