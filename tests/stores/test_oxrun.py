"""stores.oxrun: Oxigraph evaluates in a thread with a deep stack (the most deeply nested text
screen.fits allows does not overflow it, where an 8 MiB stack does); in a server's ad-hoc
worker that
thread runs a short query at the worker's normal priority and is lowered to SCHED_IDLE when a
query runs past the grace period, the next query going to a spare thread."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from natoeu_graph.sparql.screen import MAX_CHARS, STACK_BYTES, fits, fits_own, stack_for

_RUN = """
import sys, pyoxigraph as ox
from natoeu_graph.stores import oxrun
oxrun.STACK_BYTES = int(sys.argv[1])
try:
    oxrun.evaluate(ox.Store(), sys.stdin.read(), [], [], limit=1)
except (SyntaxError, OSError, ValueError) as e:
    print(type(e).__name__)
print("alive")
"""
# As many nested groups as fit in MAX_CHARS. (The constructs that need the most stack per
# character, collections and long triple lists, are measured in sparql.screen; Oxigraph plans
# them so slowly, seconds for a hundred items, that they meet the server's deadline first.)
DEEP = "SELECT * WHERE " + "{" * ((MAX_CHARS - 40) // 2) + " ?s ?p ?o " + \
    "}" * ((MAX_CHARS - 40) // 2)


def survives(text: str, stack: int) -> bool:
    """Whether Oxigraph takes ``text`` in a thread of ``stack`` bytes (in a process of its
    own: a stack overflow kills the process, it raises nothing)."""
    proc = subprocess.run([sys.executable, "-c", _RUN, str(stack)], input=text,
                          capture_output=True, text=True, timeout=120, check=False)
    return proc.returncode == 0 and "alive" in proc.stdout


def test_the_deepest_text_that_fits_is_taken() -> None:
    assert fits(DEEP)
    assert survives(DEEP, STACK_BYTES)
    # and the stack is what makes it so: on a main thread's usual 8 MiB it kills the process
    assert not survives(DEEP, 8 * 1024 * 1024)


_RUN_SIZED = """
import sys, pyoxigraph as ox
from natoeu_graph.sparql.screen import stack_for
from natoeu_graph.stores import oxrun
text = sys.stdin.read()
oxrun.evaluate(ox.Store(), text, [], [], limit=1, stack=stack_for(text))
print("alive")
"""


def test_a_longer_text_of_the_projects_own_gets_a_stack_sized_to_it() -> None:
    """fits_own: twice MAX_CHARS of the deepest nesting, on a thread of stack_for(text)
    (which the query threads' stack would not hold)."""
    depth = (2 * MAX_CHARS - 40) // 2
    deeper = "SELECT * WHERE " + "{" * depth + " ?s ?p ?o " + "}" * depth
    assert not fits(deeper) and fits_own(deeper)
    assert stack_for(deeper) > 1.9 * STACK_BYTES  # the same bytes per character
    proc = subprocess.run([sys.executable, "-c", _RUN_SIZED], input=deeper, capture_output=True,
                          text=True, timeout=120, check=False)
    assert proc.returncode == 0 and "alive" in proc.stdout, proc.stderr[-500:]
    assert not survives(deeper, 8 * 1024 * 1024)  # a main thread's usual stack


@pytest.mark.skipif(not hasattr(os, "SCHED_IDLE"), reason="Linux scheduling policies")
def test_a_slow_query_lowers_its_thread_and_the_next_gets_a_spare() -> None:
    code = """
import os, threading, time
from natoeu_graph.stores import oxrun
oxrun.prepare(spares=1, demote_after=0.05)
os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))  # as the server's worker does
def policy(wait):
    def job():
        time.sleep(wait)
        return threading.get_native_id(), os.sched_getscheduler(0)
    return job
fast = oxrun._RUNNER.call(policy(0))
slow = oxrun._RUNNER.call(policy(0.2))
after = oxrun._RUNNER.call(policy(0))
until = time.monotonic() + 10  # the lowered thread ends once told to
while os.path.exists(f"/proc/self/task/{slow[0]}") and time.monotonic() < until:
    time.sleep(0.01)
print(fast[0] == slow[0], fast[1] == os.SCHED_OTHER, slow[1] == os.SCHED_IDLE,
      "alive" if os.path.exists(f"/proc/self/task/{slow[0]}") else "ended",
      after[0] != slow[0], after[1] == os.SCHED_OTHER)
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    # the fast and the slow query ran on the same normal thread; it was lowered while the slow
    # one ran (its policy read at the end of the job), then ended; the next query ran on the
    # spare, at normal priority
    assert proc.stdout.split() == ["True", "True", "True", "ended", "True", "True"], \
        proc.stdout
