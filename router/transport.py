"""Faust's aiokafka transport, registered as the ``hotline://`` scheme, with two changes for
the embedded broker that cost a real Kafka next to nothing:

- a short fetch wait: Faust hard-codes ``fetch_max_wait_ms=1500``. Kafka answers a fetch as
  soon as one byte is there, but Tansu holds a fetch up to its maximum wait, which put
  ~400 ms on every hop. 100 ms costs a real Kafka only a few idle fetches a second.
- true end offsets: Tansu reports the base offset of a partition's last record batch as its
  end offset, so a table recovering from its changelog stopped before the last batch's other
  records (state written just before a restart was lost). The end offsets Faust asks for
  are checked by reading from the reported end; on Kafka that read finds nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from aiokafka import AIOKafkaConsumer
from faust.transport.drivers import aiokafka as faust_aiokafka
from faust.types import TP

SCHEME = "hotline"
FETCH_MAX_WAIT_MS = 100


class ConsumerThread(faust_aiokafka.AIOKafkaConsumerThread):
    """Creates its aiokafka consumer with :data:`FETCH_MAX_WAIT_MS`, and reports true end
    offsets (see the module's docstring)."""

    def _create_worker_consumer(self, transport: Any) -> Any:
        consumer = super()._create_worker_consumer(transport)
        consumer._fetch_max_wait_ms = FETCH_MAX_WAIT_MS  # read by aiokafka in start()
        return consumer

    async def _highwaters(self, partitions: list[TP]) -> Mapping[TP, int]:
        reported = await super()._highwaters(partitions)
        return await true_end_offsets(
            ",".join(f"{url.host}:{url.port}" for url in self.app.conf.broker), reported
        )


async def true_end_offsets(bootstrap_servers: str, reported: Mapping[TP, int]) -> dict[TP, int]:
    """End offsets past every record actually stored: read each partition from its reported
    end offset minus one until nothing more comes."""
    ends = dict(reported)
    check = [tp for tp, end in ends.items() if end and end > 0]
    if not check:
        return ends
    reader = AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers,
        enable_auto_commit=False,
        fetch_max_wait_ms=FETCH_MAX_WAIT_MS,
    )
    await reader.start()
    try:
        reader.assign(check)
        for tp in check:
            reader.seek(tp, ends[tp] - 1)
        while True:
            batches = await reader.getmany(*check, timeout_ms=500)
            if not any(batches.values()):
                return ends
            for tp, records in batches.items():
                _raise_end(ends, tp, (record.offset for record in records))
    finally:
        await reader.stop()


def _raise_end(ends: dict[TP, int], tp: Any, offsets: Iterable[int]) -> None:
    for offset in offsets:
        key = TP(tp.topic, tp.partition)
        if offset + 1 > ends[key]:
            ends[key] = offset + 1


class Consumer(faust_aiokafka.Consumer):
    """The aiokafka consumer of Faust, with :class:`ConsumerThread`."""

    def _new_consumer_thread(self) -> ConsumerThread:
        return ConsumerThread(self, loop=self.loop, beacon=self.beacon)


class Transport(faust_aiokafka.Transport):
    """Faust's aiokafka transport with :class:`Consumer`."""

    Consumer = Consumer


def broker_urls(bootstrap_servers: str) -> list[str]:
    """Faust broker URLs for a Kafka ``host:port[,host:port]`` list."""
    return [f"{SCHEME}://{server.strip()}" for server in bootstrap_servers.split(",") if server]
