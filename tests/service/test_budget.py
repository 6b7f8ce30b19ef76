"""The memory budget on its own event loop: room is shared first come first served, a
reservation that finds none in time fails, and one larger than the budget runs alone."""

from __future__ import annotations

import asyncio

import pytest

from service.budget import MemoryBudget, OverBudget


async def _hold(budget: MemoryBudget, cost: int, name: str, order: list[str], gate: asyncio.Event):
    async with budget.reserve(cost):
        order.append(name)
        await gate.wait()


def test_waiters_are_admitted_in_arrival_order_as_room_frees():
    async def run() -> list[str]:
        budget, order, gate = MemoryBudget(100, wait=5), [], asyncio.Event()
        first = asyncio.create_task(_hold(budget, 80, "first", order, gate))
        await asyncio.sleep(0)
        big = asyncio.create_task(_hold(budget, 60, "big", order, asyncio.Event()))
        await asyncio.sleep(0)
        # 20 bytes are free, but "big" came first: "small" waits behind it.
        small = asyncio.create_task(_hold(budget, 20, "small", order, asyncio.Event()))
        await asyncio.sleep(0.05)
        assert order == ["first"]
        gate.set()
        await first
        await asyncio.sleep(0.05)
        for task in (big, small):
            task.cancel()
        await asyncio.gather(big, small, return_exceptions=True)
        return order

    assert asyncio.run(run()) == ["first", "big", "small"]


def test_no_room_within_the_wait_is_over_budget_and_frees_its_turn():
    async def run() -> None:
        budget, gate = MemoryBudget(100, wait=0.05), asyncio.Event()
        holder = asyncio.create_task(_hold(budget, 100, "holder", [], gate))
        await asyncio.sleep(0)
        with pytest.raises(OverBudget):
            async with budget.reserve(1):
                pass
        gate.set()
        await holder
        async with budget.reserve(100):  # the refused turn left the line
            pass

    asyncio.run(run())


def test_a_reservation_larger_than_the_budget_waits_for_all_of_it():
    async def run() -> list[str]:
        budget, order, gate = MemoryBudget(100, wait=5), [], asyncio.Event()
        small = asyncio.create_task(_hold(budget, 10, "small", order, gate))
        await asyncio.sleep(0)
        huge = asyncio.create_task(_hold(budget, 10**12, "huge", order, asyncio.Event()))
        await asyncio.sleep(0.05)
        assert order == ["small"]
        gate.set()
        await small
        await asyncio.sleep(0.05)
        huge.cancel()
        await asyncio.gather(huge, return_exceptions=True)
        return order

    assert asyncio.run(run()) == ["small", "huge"]
