"""The ``srs`` command: thin wrappers over the library, one command per module.

Every error prints ``srs: error: ...`` on stderr, never a traceback. Exit codes: 0 success, 1 an error
(bad input, a card that does not exist, deck files with errors, a damaged collection), 2 a usage error
(unknown command or option, missing argument, bad option value), 130 interrupted (Ctrl+C).
"""

from __future__ import annotations

import sqlite3
import sys

from srs.gcpause import pause_for_startup, resume_after_startup

pause_for_startup()  # until the command's modules are imported (end of this module); srs review: until its first screen

from srs.cli import app as app_module  # noqa: E402
from srs.errors import SrsError  # noqa: E402
from srs.launch import EXIT_ERROR, EXIT_INTERRUPTED, fail_message, replace_unencodable_output, report_failure  # noqa: E402

app = app_module.app


# Commands that live in a module of another name; every other command lives in srs/cli/<command>.py.
COMMAND_MODULES = {"undo": "answer", "bury": "answer", "suspend": "answer", "unsuspend": "answer", "restore": "backup", "import": "import_"}
ALWAYS = ("status",)  # the callback: `srs` alone, and the --db/--json options before a command


EXIT_USAGE = 2


def invoked_command(argv: list[str]) -> str | None:
    """The command word of a command line (skipping the global options and their values)."""
    args = iter(argv)
    for arg in args:
        if arg == "--db":
            next(args, None)
        elif not arg.startswith("-"):
            return arg
    return None


def _register_commands(argv: list[str] | None = None) -> None:
    """Import the command modules; each registers its command on ``app``.

    Only the invoked command's module is imported when it can be told from the command line, so
    one command does not pay for every other command's imports at start-up; otherwise all are.
    """
    import importlib
    import pkgutil

    available = {m.name for m in pkgutil.iter_modules(__path__)} - {"app"}
    command = invoked_command(sys.argv[1:] if argv is None else argv)
    module = COMMAND_MODULES.get(command or "", command)
    wanted = [*ALWAYS, module] if module in available else sorted(available)
    for name in wanted:
        importlib.import_module(f"{__name__}.{name}")


_register_commands()
resume_after_startup()


def main(argv: list[str] | None = None) -> None:
    """The typer application on ``argv`` (default: the process's arguments); always exits.

    The console script is ``srs.entry.main``, which comes here for every command line but a plain
    ``srs review``.
    """
    from typer import Abort, TyperException

    replace_unencodable_output()
    try:
        code = app(args=argv, prog_name="srs", standalone_mode=False)
    except TyperException as exc:  # typer (>= 0.28: click vendored) raises its usage errors as these
        if _kind(exc) == "NoArgsIsHelpError":  # `srs export`: a group without its subcommand shows its help
            print(exc.format_message(), file=sys.stderr)
            sys.exit(EXIT_USAGE)
        usage = getattr(exc, "exit_code", EXIT_ERROR) == EXIT_USAGE
        _fail(usage_message(exc) if usage else exc.format_message(), EXIT_USAGE if usage else EXIT_ERROR)
    except Abort:  # end of input at a question (optimize --reschedule)
        _fail("aborted; nothing was changed", EXIT_ERROR)
    except (SrsError, sqlite3.DatabaseError, OSError, UnicodeError, KeyboardInterrupt) as exc:
        sys.exit(report_failure(exc))
    sys.exit(code if isinstance(code, int) else 0)


def _kind(exc: Exception) -> str:
    return type(exc).__name__




def usage_message(exc) -> str:
    """A usage error in srs's words: what is wrong, what to give, and the command's usage line."""
    ctx = getattr(exc, "ctx", None)
    param = getattr(exc, "param", None)
    if _kind(exc) == "MissingParameter" and param is not None and param.param_type_name == "argument":
        what = (param.help or "").rstrip(".")
        message = f"missing {_argument_name(param)}" + (f" ({what[:1].lower()}{what[1:]})" if what else "")
    else:
        message = exc.format_message().rstrip(".")
        message = message[:1].lower() + message[1:]
    if ctx is None:
        return message
    return f"{message}\nusage: {usage_line(ctx)}  (more: {ctx.command_path} --help)"


def _argument_name(param) -> str:
    name = param.metavar or param.name.upper()
    return name + "..." if param.nargs != 1 else name


def usage_line(ctx) -> str:
    """``srs bury [OPTIONS] ID...``: the command's arguments by their metavars."""
    pieces = [ctx.command_path, "[OPTIONS]"]
    for param in ctx.command.params:
        if param.param_type_name != "argument":
            continue
        name = _argument_name(param)
        pieces.append(name if param.required else f"[{name}]")
    if getattr(ctx.command, "commands", None):
        pieces.append("COMMAND [ARGS]...")
    return " ".join(pieces)


def _fail(message: str, code: int) -> None:
    fail_message(message)
    sys.exit(code)
