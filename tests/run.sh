#!/usr/bin/env bash
# The whole test suite, from the root of a checkout, on a fresh Debian or Ubuntu machine: the
# README's test command, and what CI runs (.ci/run).
#
#   bash tests/run.sh [PYTEST OPTIONS...]
#
# 1. The programs the tests run, installed with apt-get where missing (as root; otherwise it
#    says what to install).
# 2. .venv, made as the README's set-up makes it if it is not there, with the project and its
#    test extras installed into it (editable if you installed it editable, else as a package).
# 3. pytest on as many workers as the machine has cores (pytest-xdist), each test module in
#    one worker (tests/conftest.py); extra options go to pytest, e.g. `-x` or `-n 1`.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
# Python with its venv module, for .venv
command -v python3 >/dev/null 2>&1 || need+=(python3)
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || need+=(python3-venv)
# Graphviz draws the ontology diagram in `natoeu docs`; Debian's chromium runs the page tests
# of `natoeu serve` and of the static site headless.
command -v dot >/dev/null 2>&1 || need+=(graphviz)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
# Java runs the OWL API profile checkers and HermiT (from owlready2's jar) on the ontology.
command -v javac >/dev/null 2>&1 || need+=(default-jdk-headless)
# Virtuoso 7 is the second triplestore the graph is published to and queried on (the test starts
# its own server from a temporary directory; the package's service stays off without a password).
command -v virtuoso-t >/dev/null 2>&1 || need+=(virtuoso-opensource)
# Apache httpd serves the static site (`natoeu site`) with its w3id.org redirect rules in the
# content-negotiation test, started by the test from a temporary ServerRoot on 127.0.0.1.
[ -x /usr/sbin/apache2 ] || need+=(apache2)
if [ "${#need[@]}" -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "tests/run.sh: the tests need ${need[*]}; run this as root, or first:" >&2
        echo "  sudo apt-get install ${need[*]}" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
    .venv/bin/python -m pip install --quiet --upgrade pip
fi
if .venv/bin/python -m pip show natoeu-graph 2>/dev/null | grep -q '^Editable project location:'
then
    .venv/bin/python -m pip install --quiet -e '.[test]'
else
    .venv/bin/python -m pip install --quiet '.[test]'
fi

# Run from the repository root: natoeu reads this tree's ontology/, data/ and queries/, as it
# does inside any checkout. No .pytest_cache is written into the tree.
set +e
.venv/bin/python -m pytest -q -p no:cacheprovider -n auto --durations=15 "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
    echo "tests/run.sh: pytest collected no tests" >&2
    exit 1
fi
exit "$status"
