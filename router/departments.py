"""The department catalogue (派单目录): loading, validation and name resolution.

The catalogue file (``router/departments.toml``) is the one place departments are named.
Classifier labels, historical exports and console choices resolve through :meth:`Catalogue.resolve`
to a canonical code; an unknown name is an error the analyst sees, never a silent new class.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, NoReturn

from router.exceptions import ConfigurationError, UnknownDepartmentError

#: Pseudo-department of tickets the model is unsure about; dispatchers route them by hand.
TRIAGE = "TRIAGE"
TRIAGE_QUEUE = "hotline:queue:TRIAGE"

#: Prefix of every department's work queue (a Redis stream).
QUEUE_PREFIX = "hotline:queue:"
SLA_POLICIES: tuple[str, ...] = ("standard", "utility")

_CODE_RE = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*")
_FIELDS = ("code", "name", "aliases", "parent", "queue", "threshold", "sla_policy")


@dataclass(frozen=True, kw_only=True)
class Department:
    """One department of the catalogue."""

    code: str
    name: str
    aliases: tuple[str, ...]
    parent: str
    queue: str
    threshold: float
    sla_policy: str


class Catalogue:
    """The validated department catalogue, in file order; build it with :meth:`load`."""

    def __init__(self, *, departments: Iterable[Department], source: str = "<memory>") -> None:
        self._source = source
        self._by_code: dict[str, Department] = {}
        self._by_name: dict[str, Department] = {}
        for dept in departments:
            self._add(dept)
        for dept in self._by_code.values():
            seen = {dept.code}
            parent = dept.parent
            while parent:
                if parent not in self._by_code:
                    self._fail(f"department {dept.code}: parent {parent!r} is not in the catalogue")
                if parent in seen:
                    self._fail(f"department {dept.code}: its parents form a cycle")
                seen.add(parent)
                parent = self._by_code[parent].parent
        if not self._by_code:
            self._fail("no departments")

    @classmethod
    def load(cls, path: str | Path | None = None) -> Catalogue:
        """Read and validate a catalogue file; the packaged ``departments.toml`` by default.

        Raises ConfigurationError if the file is missing, not TOML or not a valid catalogue.
        """
        if path is None:
            ref = resources.files("router").joinpath("departments.toml")
            source, raw = str(ref), ref.read_bytes()
        else:
            source = str(path)
            try:
                raw = Path(path).read_bytes()
            except OSError as exc:
                raise ConfigurationError(f"department catalogue {source}: {exc}") from exc
        try:
            data = tomllib.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigurationError(f"department catalogue {source}: {exc}") from exc
        entries = data.get("department")
        if not isinstance(entries, list):
            raise ConfigurationError(f"department catalogue {source}: no [[department]] tables")
        return cls(
            departments=[_parse(entry, index, source) for index, entry in enumerate(entries)],
            source=source,
        )

    @property
    def codes(self) -> tuple[str, ...]:
        """Every department code, in file order."""
        return tuple(self._by_code)

    def queues(self) -> dict[str, str]:
        """Every work queue: department code → Redis stream, the triage queue last."""
        return {dept.code: dept.queue for dept in self} | {TRIAGE: TRIAGE_QUEUE}

    def __getitem__(self, code: str) -> Department:
        try:
            return self._by_code[code]
        except KeyError:
            raise UnknownDepartmentError(f"unknown department code {code!r}") from None

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __iter__(self) -> Iterator[Department]:
        return iter(self._by_code.values())

    def __len__(self) -> int:
        return len(self._by_code)

    def resolve(self, name: str) -> Department:
        """The department with this code, display name or alias.

        The name is stripped of whitespace and tried as given, without a leading "市" and with
        one added; nothing else is guessed. Raises UnknownDepartmentError.
        """
        key = name.strip()
        for candidate in (key, key.removeprefix("市"), "市" + key):
            dept = self._by_name.get(candidate)
            if dept is not None:
                return dept
        raise UnknownDepartmentError(
            f"unknown department {name!r}: not a code, name or alias in the catalogue "
            f"{self._source} (add it as an alias of the right department)"
        )

    def resolve_many(self, names: Iterable[str]) -> tuple[dict[str, Department], dict[str, int]]:
        """Resolve a column of department names, as an importer meets them.

        Returns the department of every distinct known name (keyed by the name as given) and
        the unknown names with how often each occurred, most frequent first.
        """
        known: dict[str, Department] = {}
        unknown: Counter[str] = Counter()
        for name in names:
            if name in known:
                continue
            if name in unknown:
                unknown[name] += 1
                continue
            try:
                known[name] = self.resolve(name)
            except UnknownDepartmentError:
                unknown[name] += 1
        return known, dict(unknown.most_common())

    def _add(self, dept: Department) -> None:
        if dept.code in self._by_code:
            self._fail(f"duplicate department code {dept.code}")
        self._by_code[dept.code] = dept
        for key in (dept.code, dept.name, *dept.aliases):
            other = self._by_name.get(key)
            if other is not None and other is not dept:
                self._fail(f"name {key!r} is claimed by both {other.code} and {dept.code}")
            self._by_name[key] = dept

    def _fail(self, message: str) -> NoReturn:
        raise ConfigurationError(f"department catalogue {self._source}: {message}")


def _parse(entry: Any, index: int, source: str) -> Department:
    """One ``[[department]]`` table as a validated Department."""
    where = f"department catalogue {source}, department #{index + 1}"
    if not isinstance(entry, dict):
        raise ConfigurationError(f"{where}: not a table")
    missing = [key for key in _FIELDS if key not in entry and key != "parent"]
    if missing:
        raise ConfigurationError(f"{where}: missing {', '.join(missing)}")
    extra = sorted(set(entry) - set(_FIELDS))
    if extra:
        raise ConfigurationError(f"{where}: unknown keys {', '.join(extra)}")
    code = entry["code"]
    if not isinstance(code, str) or not _CODE_RE.fullmatch(code) or code == TRIAGE:
        raise ConfigurationError(f"{where}: code {code!r} is not an upper-snake ASCII code")
    where = f"department catalogue {source}, department {code}"
    name, aliases, parent = entry["name"], entry["aliases"], entry.get("parent", "")
    if not isinstance(name, str) or not name.strip():
        raise ConfigurationError(f"{where}: name must be a non-empty string")
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        raise ConfigurationError(f"{where}: aliases must be a list of non-empty strings")
    if not isinstance(parent, str):
        raise ConfigurationError(f'{where}: parent must be a department code or ""')
    if entry["queue"] != QUEUE_PREFIX + code:
        raise ConfigurationError(
            f"{where}: queue is {entry['queue']!r}, expected {QUEUE_PREFIX + code!r}"
        )
    threshold = entry["threshold"]
    if isinstance(threshold, bool) or not isinstance(threshold, int | float):
        raise ConfigurationError(f"{where}: threshold must be a number")
    if not 0 < threshold < 1:
        raise ConfigurationError(f"{where}: threshold {threshold} is outside (0, 1)")
    if entry["sla_policy"] not in SLA_POLICIES:
        raise ConfigurationError(
            f"{where}: sla_policy {entry['sla_policy']!r} is not one of {', '.join(SLA_POLICIES)}"
        )
    return Department(
        code=code,
        name=name.strip(),
        aliases=tuple(a.strip() for a in aliases),
        parent=parent,
        queue=entry["queue"],
        threshold=float(threshold),
        sla_policy=entry["sla_policy"],
    )
