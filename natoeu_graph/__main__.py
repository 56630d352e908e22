"""The `natoeu` command's entry: a warm canned or ad-hoc query is answered before click, rdflib
or any parser is imported (stores.warm, stores.warm_sparql); everything else goes to the full
CLI (cli)."""

from __future__ import annotations

import os
import sys


def main() -> None:
    args = sys.argv[1:]
    out = None
    if args[:1] == ["query"]:
        from .stores.warm import answer

        out = answer(args)
    elif args[:1] == ["sparql"]:
        from .stores.warm_sparql import answer as adhoc

        out = adhoc(args)
    if out is not None:
        try:
            sys.stdout.write(out)
            sys.stdout.flush()
        except BrokenPipeError:  # `| head`: the reader left; no traceback at exit either
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(1)
        except OSError as exc:  # e.g. a full disk: said as the full command says it
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            from .cli import machine_error  # only now: the words are the full command's

            user = machine_error(exc)
            if user is None:
                sys.stderr.write(f"error: cannot write the answer: {exc.strerror or exc}\n"
                                 "hint: Free some space, or write the answer elsewhere.\n")
                sys.exit(2)
            sys.stderr.write(f"error: {user.message}\nhint: {user.hint}\n")
            sys.exit(user.exit_code)
        return
    from .cli import main as full

    full()


if __name__ == "__main__":
    main()
