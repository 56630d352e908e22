"""Answers of remote stores read as SPARQL 1.1 means them, where a store departs in a known way.

OpenLink Virtuoso 7.2.5 (tests/stores/test_virtuoso.py runs one):

- it answers ASK as a SELECT of one row and one variable, ``__ask_retval``, bound to 1 or 0 (in
  JSON and XML alike): read as the ASK answer, where a client reading "boolean" saw false, and
  every IRI parameter of a canned query named no entity (the look-up is an ASK);
- its SQL engine has no boolean type, so the value of a boolean expression (a comparison,
  ``BOUND``, ``NOT EXISTS``, ``&&``) comes back as 1 or 0 typed xsd:integer
  (https://github.com/openlink/virtuoso-opensource/issues/251): in a column that the query binds
  to a boolean expression, such a 1 or 0 is read as true or false. Which columns those are is
  read from the query itself (its algebra), so a count that is 1 stays 1.

A store that follows the standard never gives either shape, so both readings are safe for any
endpoint.
"""

from __future__ import annotations

from typing import Any

from rdflib import XSD, Literal, Variable
from rdflib.query import Result

_BOOLEAN_FORMS = {
    "RelationalExpression", "ConditionalAndExpression", "ConditionalOrExpression", "UnaryNot",
    "Builtin_BOUND", "Builtin_EXISTS", "Builtin_NOTEXISTS", "Builtin_sameTerm",
    "Builtin_isIRI", "Builtin_isBLANK", "Builtin_isLITERAL", "Builtin_isNUMERIC",
    "Builtin_REGEX", "Builtin_CONTAINS", "Builtin_STRSTARTS", "Builtin_STRENDS",
    "Builtin_LANGMATCHES",
}


def _boolean(expr: Any) -> bool:
    """Whether an expression of rdflib's algebra always has a boolean value (or an error)."""
    if isinstance(expr, Literal):
        return expr.datatype == XSD.boolean
    name = getattr(expr, "name", None)
    if name in _BOOLEAN_FORMS:
        return True
    if name == "Builtin_IF":
        return _boolean(expr.get("arg2")) and _boolean(expr.get("arg3"))
    if name == "Builtin_COALESCE":
        args = expr.get("arg") or []
        return bool(args) and all(_boolean(a) for a in args)
    return False


def boolean_columns(algebra: Any) -> set[str]:
    """The variables a query binds to a boolean expression (``BIND(expr AS ?v)`` or
    ``(expr AS ?v)`` in a SELECT), anywhere in it."""
    found: set[str] = set()
    stack = [algebra]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):  # CompValue is a dict subclass
            if getattr(node, "name", None) == "Extend" and _boolean(node.get("expr")):
                found.add(str(node.get("var")))
            stack.extend(node.values())
        elif isinstance(node, (list, tuple)):
            stack.extend(node)
    return found


def read(result: Result, ask: bool, booleans: set[str]) -> Result:
    """``result`` as the standard has it: an ASK answered as a one-cell SELECT becomes an ASK
    answer; 1 and 0 typed xsd:integer in ``booleans`` columns become true and false."""
    if ask and result.type == "SELECT":
        names = list(result.vars or [])
        cells = [row.get(names[0]) for row in result.bindings] if len(names) == 1 else []
        if len(names) == 1 and len(cells) <= 1 and all(
                isinstance(c, Literal) and str(c) in ("0", "1", "true", "false")
                for c in cells):
            answer = Result("ASK")
            answer.askAnswer = bool(cells) and str(cells[0]) in ("1", "true")
            return answer
        return result
    if result.type != "SELECT" or not booleans:
        return result
    columns = {Variable(b) for b in booleans}

    def standard(v: Variable, cell: Any) -> Any:
        if v in columns and isinstance(cell, Literal) and cell.datatype == XSD.integer \
                and str(cell) in ("0", "1"):
            return Literal(str(cell) == "1")
        return cell

    result.bindings = [{v: standard(v, cell) for v, cell in row.items()}
                       for row in result.bindings]
    return result
