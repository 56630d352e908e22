"""Which query texts Oxigraph may take straight away, before any SPARQL parser has read them.

Ad-hoc queries run on Oxigraph, whose parser is fast; the policy (SERVICE refused unless allowed,
FROM and FROM NAMED only among the served graphs) is decided by rdflib's parser
(queries.prepare), which costs 5-15 ms a query, more than Oxigraph takes to answer most. So a
text is first screened, here, without parsing it:

- ``clear``: the text cannot hold a SERVICE or FROM clause for any parser, because the letters
  of those keywords do not occur in it in any case (``str.upper`` also maps letters such as
  U+017F, long s, to S), and it has no backslash (SPARQL's ``\\u`` escapes could spell them).
  Only such a text skips rdflib's parser; any other goes through it as before, so every query
  that does hold SERVICE or FROM is decided by the parser. A clear text is also shallow (its
  brackets nest at most ``MAX_DEPTH`` deep): a deeper one goes to rdflib's parser too, which
  refuses what it cannot parse as "nested too deeply".
- ``fits``: the text is short enough for Oxigraph. Its parser and evaluator recurse once per
  nesting level, list element or triple pattern, and a Rust stack overflow kills the process
  (measured at 8 MiB of stack: 192 elements of a subject collection, 384 triple patterns, 512
  nested collections, up to 14.5 KiB of stack per character of query). oxrun evaluates in a
  thread with a ``STACK_BYTES`` stack, 2.2x what the worst of those needs at ``MAX_CHARS``
  characters; longer texts run on rdflib, whose recursion Python bounds.
- ``fits_own``: for the project's own query files only (the gate's checks and canned queries,
  never a text from a user or a client), up to ``MAX_OWN_CHARS``, evaluated in a thread whose
  stack grows with the text at the same ratio (``stack_for``): address space, touched only as
  deep as the query goes. The composed ``factsheet-changes`` (37 KB) then runs on Oxigraph in
  `natoeu check` instead of costing rdflib's parser seconds after every edit.
No imports beyond the standard library: the warm path screens without loading rdflib.
"""

from __future__ import annotations

MAX_CHARS = 8192
STACK_BYTES = 256 * 1024 * 1024
MAX_OWN_CHARS = 65536  # a 2 GiB stack at most
MAX_DEPTH = 24  # rdflib's parser stops at 25-35 nested brackets
_OPEN = frozenset("{([")
_CLOSE = frozenset("})]")


def fits(text: str) -> bool:
    """Whether Oxigraph may evaluate ``text`` (in oxrun's thread) without overflowing."""
    return len(text) <= MAX_CHARS


def fits_own(text: str) -> bool:
    """Whether Oxigraph may evaluate the project's own query ``text`` in a thread whose stack
    is ``stack_for(text)``."""
    return len(text) <= MAX_OWN_CHARS


def stack_for(text: str) -> int:
    """A thread stack for ``text``: ``STACK_BYTES``, or as much more as the text is longer than
    ``MAX_CHARS`` (the measured worst case per character, with the same margin)."""
    return max(STACK_BYTES, -(-len(text) * STACK_BYTES // MAX_CHARS))


def clear(text: str) -> bool:
    """Whether ``text`` provably has no SERVICE, FROM or escape and is shallow, so that
    rdflib's parser has nothing to decide and Oxigraph may take it as it is."""
    if not fits(text) or "\\" in text:
        return False
    upper = text.upper()
    if "SERVICE" in upper or "FROM" in upper:
        return False
    return depth(text) <= MAX_DEPTH


def depth(text: str) -> int:
    """How deep brackets nest, counted over the raw text (strings and comments included)."""
    level = deepest = 0
    for c in text:
        if c in _OPEN:
            level += 1
            deepest = max(deepest, level)
        elif c in _CLOSE:
            level = max(level - 1, 0)
    return deepest
