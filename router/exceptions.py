"""Every exception the project raises on purpose."""

from __future__ import annotations


class HotlineError(Exception):
    """Base of the project's errors; its message is a one-line explanation for the user."""


class ConfigurationError(HotlineError):
    """A setting, a catalogue file or an argument is wrong."""


class ServiceError(HotlineError):
    """An embedded or external service (broker, Redis) is missing, busy or did not come up."""


class ModelError(HotlineError):
    """A model artefact is missing, corrupt or does not match its checksum."""


class UnknownDepartmentError(ConfigurationError):
    """A department name or code that the catalogue does not know."""


class BadInputError(HotlineError):
    """An intake record that cannot become a ticket.

    ``reason`` is a stable code (see :data:`topics.schemas.DEADLETTER_REASONS`) used as the
    dead-letter reason and metric label; ``detail`` is a human explanation without personal data.
    """

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


class CalendarError(ConfigurationError):
    """The working calendar does not know a year, or its override file is wrong."""


class ActionError(HotlineError):
    """A console or API request that cannot be carried out; ``status`` is its HTTP status
    (400 bad input, 403 not for this role, 404 no such ticket here, 409 not in this state)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class LoginRequiredError(HotlineError):
    """A console page was asked for without a live session: the console sends the browser
    to the log-in page."""
