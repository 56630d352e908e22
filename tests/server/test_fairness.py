"""Fair turns (server.fairness): under contention the lightest client goes first, one turn per
loop iteration, and a cancelled request gives its turn up; a freed worker goes to the client
holding the fewest. Order only: no timing asserted."""

from __future__ import annotations

import asyncio
import contextlib

from natoeu_graph.server.fairness import FairGate, FairTurns


def run_turns(turns: FairTurns, requests: list[tuple[str, int]]) -> list[int]:
    """Start every request in the same loop iteration; the order in which they got a turn."""
    order: list[int] = []

    async def one(k: int, host: str, port: int) -> None:
        await turns.turn(host, port)
        order.append(k)

    async def main() -> None:
        await asyncio.gather(*(one(k, h, p) for k, (h, p) in enumerate(requests)))

    asyncio.run(main())
    return order


def test_a_light_client_goes_before_a_heavy_one() -> None:
    turns = FairTurns()
    run_turns(turns, [("10.0.0.1", 1000 + k % 20) for k in range(200)])  # a heavy history
    heavy = [("10.0.0.1", 1000 + k) for k in range(20)]
    order = run_turns(turns, [*heavy, ("10.0.0.2", 5000)])
    assert order[0] == 20  # the light client's request, though it came last


def test_on_one_address_a_light_connection_goes_first() -> None:
    turns = FairTurns()
    run_turns(turns, [("127.0.0.1", 1000 + k % 20) for k in range(200)])
    order = run_turns(turns, [*[("127.0.0.1", 1000 + k) for k in range(20)],
                              ("127.0.0.1", 7000)])
    assert order[0] == 20


def test_turns_are_granted_one_per_iteration() -> None:
    """Requests arriving while others wait are weighed against them, not queued behind."""
    turns = FairTurns()
    log: list[str] = []

    async def req(name: str, host: str) -> None:
        await turns.turn(host, 1)
        log.append(name)

    async def main() -> None:
        for _ in range(50):
            await req("warm", "heavy")
        first = [asyncio.create_task(req(f"h{k}", "heavy")) for k in range(5)]
        await asyncio.sleep(0)  # the heavy ones are waiting now
        await asyncio.sleep(0)
        late = asyncio.create_task(req("light", "light"))
        await asyncio.gather(*first, late)

    asyncio.run(main())
    served = log[50:]
    assert served.index("light") < 4  # not behind all five that were waiting before it


def test_a_cancelled_request_gives_up_its_turn() -> None:
    turns = FairTurns()

    async def main() -> list[str]:
        got: list[str] = []

        async def req(name: str) -> None:
            await turns.turn(name, 1)
            got.append(name)

        doomed = asyncio.create_task(req("a"))
        other = asyncio.create_task(req("b"))
        await asyncio.sleep(0)
        doomed.cancel()
        await asyncio.gather(other, return_exceptions=True)
        return got

    assert asyncio.run(main()) == ["b"]


def test_a_freed_worker_goes_to_the_client_holding_fewest() -> None:
    """One worker; a heavy client queues 5 requests, then a light one asks: the light one
    gets the worker next, not after the heavy client's queue (server.fairness.FairGate)."""
    order: list[str] = []

    async def main() -> None:
        gate = FairGate(1)
        await gate.enter("heavy")  # holds the one worker

        async def ask(client: str) -> None:
            await gate.enter(client)
            order.append(client)
            await asyncio.sleep(0)
            gate.leave(client)

        tasks = [asyncio.create_task(ask("heavy")) for _ in range(5)]
        await asyncio.sleep(0)
        tasks.append(asyncio.create_task(ask("light")))
        await asyncio.sleep(0)
        gate.leave("heavy")
        await asyncio.gather(*tasks)

    asyncio.run(main())
    assert order[0] == "light" and order.count("heavy") == 5


def test_a_waiter_that_gives_up_leaves_no_place_taken() -> None:
    async def main() -> int:
        gate = FairGate(1)
        await gate.enter("a")
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(gate.enter("b"), 0.01)
        gate.leave("a")
        await asyncio.wait_for(gate.enter("c"), 1)  # the place is free again
        return gate.waiting

    assert asyncio.run(main()) == 0


def test_one_client_never_holds_every_worker() -> None:
    """Two workers: a client asking for both gets one, and the other is there at once for the
    next client (with slow work on both, it would have waited for one to end)."""

    async def main() -> tuple[bool, bool]:
        gate = FairGate(2)
        await gate.enter("heavy")
        second = asyncio.create_task(gate.enter("heavy"))
        await asyncio.sleep(0)
        await asyncio.wait_for(gate.enter("light"), 1)  # the place kept free
        waited = not second.done()
        gate.leave("light")
        await asyncio.sleep(0)
        still = not second.done()  # one place free, but heavy holds its most already
        gate.leave("heavy")
        await asyncio.wait_for(second, 1)
        return waited, still

    assert asyncio.run(main()) == (True, True)
