"""Fair turns (server.fairness): under contention the lightest client goes first, one turn per
loop iteration, and a cancelled request gives its turn up. Order only: no timing asserted."""

from __future__ import annotations

import asyncio

from natoeu_graph.server.fairness import FairTurns


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
