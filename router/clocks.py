"""One SLA clock of a ticket (sign for, first contact, resolve, callback): start, pause,
resume, extend and stop, on wall-clock or office time.

Times are POSIX seconds (floats) so the tracker compares them cheaply; the working calendar
converts them when a limit counts office time only. ``used`` is what the clock has consumed
before its current running stretch, on its own measure (office seconds for working limits).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from router.sla_policy import Limit, deadline, elapsed
from router.workcalendar import WorkCalendar

MET = "met"  # stopped before its deadline
BREACHED = "breached"  # reached its deadline (counted once, when first seen)
CANCELLED = "cancelled"  # stopped without a verdict: reassigned before signing, merged, closed


@dataclass(slots=True, kw_only=True)
class Clock:
    """The state of one clock generation; plain data, stored in the tracker's table."""

    name: str
    generation: int
    department: str  # accountable: the department holding the ticket while it runs
    limit: float  # seconds on the clock's measure (an approved extension raises it)
    working: bool  # True: office time on working days; False: wall-clock time
    started: float
    since: float | None  # start of the current running stretch; None while paused or stopped
    used: float = 0.0
    deadline: float | None = None  # while running
    warn_at: float | None = None  # while running
    warned: bool = False
    breached: bool = False
    ended: float | None = None
    outcome: str | None = None  # MET, BREACHED or CANCELLED once stopped

    @property
    def running(self) -> bool:
        """Whether the clock is ticking now (started, not paused, not stopped)."""
        return self.since is not None

    @property
    def live(self) -> bool:
        """Whether the clock is not stopped (running or paused)."""
        return self.ended is None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {name: getattr(self, name) for name in _CLOCK_FIELDS}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Clock:
        """Rebuild a clock stored by :meth:`to_dict`."""
        return cls(**data)


_CLOCK_FIELDS = tuple(f.name for f in fields(Clock))


class ClockMath:
    """Clock arithmetic on one working calendar, with the policy's warning share."""

    def __init__(self, *, calendar: WorkCalendar, warn_fraction: float) -> None:
        self.calendar = calendar
        self.warn_fraction = warn_fraction

    def _at(self, ts: float) -> datetime:
        return datetime.fromtimestamp(ts, self.calendar.tz)

    def _limit(self, clock: Clock) -> Limit:
        return Limit(seconds=clock.limit, working=clock.working, text="")

    def _elapsed(self, clock: Clock, start: float, end: float) -> float:
        if end <= start:
            return 0.0
        if not clock.working:
            return end - start
        return elapsed(self.calendar, self._at(start), self._at(end), self._limit(clock))

    def _when(self, clock: Clock, start: float, seconds: float) -> float:
        """The instant ``seconds`` of the clock's measure after ``start``."""
        if seconds <= 0:
            return start
        if not clock.working:
            return start + seconds
        limit = Limit(seconds=seconds, working=True, text="")
        return deadline(self.calendar, self._at(start), limit).timestamp()

    def _schedule(self, clock: Clock) -> None:
        assert clock.since is not None
        clock.deadline = self._when(clock, clock.since, clock.limit - clock.used)
        clock.warn_at = self._when(
            clock, clock.since, clock.limit * self.warn_fraction - clock.used
        )

    def start(
        self, *, name: str, generation: int, department: str, limit: Limit, at: float
    ) -> Clock:
        """A new clock running from ``at``."""
        clock = Clock(
            name=name,
            generation=generation,
            department=department,
            limit=limit.seconds,
            working=limit.working,
            started=at,
            since=at,
        )
        self._schedule(clock)
        return clock

    def used_at(self, clock: Clock, at: float) -> float:
        """Seconds of its measure the clock has consumed by ``at``."""
        if clock.since is None:
            return clock.used
        return clock.used + self._elapsed(clock, clock.since, at)

    def pause(self, clock: Clock, at: float) -> None:
        """Stop the clock ticking (waiting on the citizen); its deadline is suspended."""
        if clock.since is None:
            return
        clock.used = self.used_at(clock, at)
        clock.since = None
        clock.deadline = clock.warn_at = None

    def resume(self, clock: Clock, at: float) -> None:
        """Start a paused clock ticking again; its deadline moves by the pause."""
        if clock.since is not None or clock.ended is not None:
            return
        clock.since = at
        self._schedule(clock)

    def extend(self, clock: Clock, until: float, at: float) -> None:
        """Move the deadline to ``until`` (an approved extension): the limit grows by the
        clock time between the old deadline and the new one."""
        if clock.since is None:  # paused: measure the new limit from now
            clock.limit = clock.used + self._elapsed(clock, at, until)
            return
        clock.limit = clock.used + self._elapsed(clock, clock.since, until)
        self._schedule(clock)

    def stop(self, clock: Clock, at: float, *, cancel: bool = False) -> str:
        """Stop the clock at ``at``; returns its outcome (MET, BREACHED or CANCELLED).

        A clock that ran past its deadline is BREACHED even when no alert saw it yet.
        """
        clock.used = self.used_at(clock, at)
        clock.since = None
        clock.deadline = clock.warn_at = None
        clock.ended = at
        if cancel:
            clock.outcome = CANCELLED
        elif clock.breached or clock.used >= clock.limit:
            clock.outcome = BREACHED
        else:
            clock.outcome = MET
        return clock.outcome
