"""Faust's aiokafka transport with a short fetch wait, registered as the ``hotline://`` scheme.

Faust hard-codes ``fetch_max_wait_ms=1500``. Kafka answers a fetch as soon as one byte is
there, but Tansu (the embedded broker) holds a fetch up to its maximum wait, which put
~400 ms on every hop. 100 ms costs a real Kafka only a few idle fetches a second.
"""

from __future__ import annotations

from typing import Any

from faust.transport.drivers import aiokafka as faust_aiokafka

SCHEME = "hotline"
FETCH_MAX_WAIT_MS = 100


class ConsumerThread(faust_aiokafka.AIOKafkaConsumerThread):
    """Creates its aiokafka consumer with :data:`FETCH_MAX_WAIT_MS`."""

    def _create_worker_consumer(self, transport: Any) -> Any:
        consumer = super()._create_worker_consumer(transport)
        consumer._fetch_max_wait_ms = FETCH_MAX_WAIT_MS  # read by aiokafka in start()
        return consumer


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
