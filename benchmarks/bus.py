"""Bus throughput per policy with 1, 10 and 100 subscribers (events/s delivered).

Prints one JSON object. Run by hand: `.venv/bin/python benchmarks/bus.py`.
Goal (issue 3): >= 200,000 events/s with one subscriber.
"""

from __future__ import annotations

import asyncio
import json
import time

from claudedex.bus import EventBus, Policy, TopicSpec
from claudedex.events import AlertRaised, OrderUpdated, PriceTicked


def make(policy: Policy, i: int) -> AlertRaised | PriceTicked | OrderUpdated:
    if policy is Policy.COALESCE:
        return PriceTicked(pair=f"0x{i % 64}", reserve_token=i, reserve_quote=1, block_number=i)
    if policy is Policy.BOUNDED:
        return AlertRaised(level="info", message="m")
    return OrderUpdated(order_id=str(i), state="signed")


async def run(policy: Policy, subscribers: int, events: int) -> dict[str, float]:
    topic = {Policy.COALESCE: PriceTicked.topic, Policy.BOUNDED: AlertRaised.topic,
             Policy.NEVER_DROP: OrderUpdated.topic}[policy]
    bus = EventBus({topic: TopicSpec(policy, capacity=1024)})
    subs = [bus.subscribe(f"s{i}", [topic]) for i in range(subscribers)]
    payload = [make(policy, i) for i in range(events)]
    received = [0] * subscribers

    async def consume(idx: int) -> None:
        sub = subs[idx]
        async for _ in sub:
            received[idx] += 1

    tasks = [asyncio.create_task(consume(i)) for i in range(subscribers)]
    await asyncio.sleep(0)
    start = time.perf_counter()
    for i, ev in enumerate(payload):
        await bus.publish(ev)
        if i % 256 == 0:
            await asyncio.sleep(0)  # a real publisher yields; lets consumers drain
    for sub in subs:
        sub.close()
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - start
    return {"published_per_s": round(events / elapsed),
            "delivered_per_s": round(sum(received) / elapsed),
            "delivered": sum(received), "dropped_or_coalesced": events * subscribers
            - sum(received)}


async def main() -> None:
    results: dict[str, dict[str, dict[str, float]]] = {}
    for policy in Policy:
        results[policy.value] = {}
        for n in (1, 10, 100):
            events = 200_000 if n == 1 else 50_000 if n == 10 else 10_000
            results[policy.value][f"{n}_subscribers"] = await run(policy, n, events)
    print(json.dumps({"benchmark": "bus", "results": results}, indent=1))


if __name__ == "__main__":
    asyncio.run(main())
