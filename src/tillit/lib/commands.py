"""What the `tillit` command and the apps' commands share, below them all (so no app imports cli.py).

`CommandError` is a failure to report to the user in their language (exit code 1); `say` prints
one line at once; `migrate` brings the database up to date.
"""

from __future__ import annotations


class CommandError(Exception):
    """A failure to report to the user in their language, exit code 1."""


def say(message: str) -> None:
    print(message, flush=True)


def migrate(verbosity: int = 0) -> None:
    # Django is set up by the command once it has parsed its arguments, not when this is imported
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)
