"""The `natoeu` command's entry: a warm canned query is answered before click, rdflib or any
parser is imported (stores.warm); everything else goes to the full CLI (cli)."""

from __future__ import annotations

import sys


def main() -> None:
    from .stores.warm import answer

    out = answer(sys.argv[1:])
    if out is not None:
        sys.stdout.write(out)
        sys.stdout.flush()
        return
    from .cli import main as full

    full()


if __name__ == "__main__":
    main()
