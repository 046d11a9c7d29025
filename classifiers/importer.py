"""Importing historical work-order exports (CSV or XLSX) as labelled training examples.

Real hotline systems export GB18030/GBK or UTF-8 (with or without a BOM) CSV, or Excel
workbooks, with their own column names. :func:`read_table` reads either; :func:`import_export`
maps the columns, resolves department names through the catalogue's aliases (unknown names
are an error the analyst sees, unless explicitly allowed) and prepares each text as it would
have been at intake: cleaned, the dispatcher's note removed, personal data masked.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from classifiers.cleaning import clean_text
from classifiers.dispatch_notes import strip_dispatch_note
from classifiers.pii import split_pii
from router.departments import Catalogue
from router.exceptions import ConfigurationError

#: Encodings tried, in order, for a CSV without a BOM (GB18030 covers GBK and GB2312).
CSV_ENCODINGS = ("utf-8", "gb18030")


@dataclass(frozen=True, kw_only=True)
class Columns:
    """Which export column holds what; only ``text`` and ``label`` are required."""

    text: str
    label: str
    title: str | None = None
    time: str | None = None
    id: str | None = None


#: The columns of the project's own import format (:func:`write_examples`): what ``hotline
#: split`` and ``hotline feedback export`` write, and what ``hotline train`` reads with no flags.
EXAMPLE_COLUMNS = Columns(text="text", label="department", title="title", time="time", id="id")


@dataclass(frozen=True, kw_only=True)
class Example:
    """One labelled example, as the classifier will see it (PII masked)."""

    id: str
    text: str
    department: str  # catalogue code (or the label verbatim, without a catalogue)
    raw_label: str
    title: str = ""
    time: str = ""


@dataclass(kw_only=True)
class ImportReport:
    """What an import found: examples, unknown labels and rows skipped, with reasons."""

    examples: list[Example] = field(default_factory=list)
    unknown_labels: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    encodings: dict[str, str] = field(default_factory=dict)  # file name → encoding found


def decode_csv_bytes(raw: bytes) -> tuple[str, str]:
    """The text of a CSV export and the encoding it was in (BOM first, then by trying)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8"), "utf-8-sig"
    for encoding in CSV_ENCODINGS:
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise ConfigurationError(f"the file is neither UTF-8 nor GB18030 (tried {CSV_ENCODINGS})")


def read_table(path: Path) -> tuple[list[dict[str, str]], str]:
    """Rows of a CSV or XLSX export as dicts of strings, and the encoding (or "xlsx")."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(path), "xlsx"
    text, encoding = decode_csv_bytes(path.read_bytes())
    reader = csv.DictReader(io.StringIO(text, newline=""))
    return [{k: (v or "") for k, v in row.items() if k is not None} for row in reader], encoding


def _read_xlsx(path: Path) -> list[dict[str, str]]:
    import openpyxl

    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        rows = workbook.active.iter_rows(values_only=True)
        header = [str(cell).strip() if cell is not None else "" for cell in next(rows, ())]
        return [  # read-only rows may be shorter than the header: no strict zip
            {
                name: "" if value is None else str(value)
                for name, value in zip(header, row, strict=False)
            }
            for row in rows
            if any(value is not None for value in row)
        ]
    finally:
        workbook.close()


def prepare_text(text: str) -> str:
    """A historical text as it was at intake: cleaned, without the dispatcher's note, masked."""
    return split_pii(strip_dispatch_note(clean_text(text))).text


def import_export(
    paths: Iterable[Path],
    *,
    columns: Columns,
    catalogue: Catalogue | None,
    aliases: dict[str, str] | None = None,
    allow_unknown: bool = False,
) -> ImportReport:
    """Labelled examples from one or more exports.

    ``aliases`` maps further raw names to catalogue codes (an analyst's alias file). Rows whose
    label is not in the catalogue make this raise ConfigurationError listing the names, unless
    ``allow_unknown``: then they are skipped and reported. With ``catalogue=None`` labels are
    taken verbatim (data sets labelled with categories, not departments).
    """
    report = ImportReport()
    rows: list[tuple[Columns, dict[str, str]]] = []
    for path in paths:
        table, report.encodings[path.name] = read_table(path)
        file_columns = _columns_for(path, table[0], columns) if table else columns
        rows.extend((file_columns, row) for row in table)
    labels = [row[cols.label].strip() for cols, row in rows]
    if catalogue is None:
        codes, unknown = {label: label for label in labels if label}, {}
    else:
        known, unknown = catalogue.resolve_many(labels)
        codes = {name: catalogue[code].code for name, code in (aliases or {}).items()}
        codes |= {name: department.code for name, department in known.items()}
        unknown = {name: n for name, n in unknown.items() if name not in codes}
    if unknown and not allow_unknown:
        listed = ", ".join(f"{name} ({n})" for name, n in list(unknown.items())[:20])
        raise ConfigurationError(
            f"{len(unknown)} department names are not in the catalogue: {listed}; add them as "
            "aliases, pass an alias file, or allow unknown labels to skip those rows"
        )
    report.unknown_labels = unknown
    for number, ((cols, row), label) in enumerate(zip(rows, labels, strict=True), start=1):
        department = codes.get(label)
        if department is None:
            _count(report.skipped, "unknown_label" if label else "empty_label")
            continue
        text = prepare_text(row[cols.text])
        if not text:
            _count(report.skipped, "empty_text")
            continue
        report.examples.append(
            Example(
                id=row[cols.id].strip() if cols.id else str(number),
                text=text,
                department=department,
                raw_label=label,
                title=prepare_text(row[cols.title]) if cols.title else "",
                time=row[cols.time].strip() if cols.time else "",
            )
        )
    return report


def _missing(row: dict[str, str], columns: Columns) -> list[str]:
    wanted = [
        c for c in (columns.text, columns.label, columns.title, columns.time, columns.id) if c
    ]
    return [c for c in wanted if c not in row]


def _columns_for(path: Path, row: dict[str, str], columns: Columns) -> Columns:
    """The given columns, or the import format's for a file written by :func:`write_examples`
    (so a raw export and a feedback export can be trained on together)."""
    missing = _missing(row, columns)
    if not missing:
        return columns
    if not _missing(row, EXAMPLE_COLUMNS):
        return EXAMPLE_COLUMNS
    raise ConfigurationError(
        f"{path.name}: no column {', '.join(missing)}; the columns are {', '.join(row)}"
    )


def write_examples(path: Path, examples: Iterable[Example]) -> int:
    """Write examples in the import format (UTF-8 CSV with a BOM, so Excel opens it):
    ``id, time, title, text, department``. Texts are already masked. Returns the row count."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "time", "title", "text", "department"])
        for example in examples:
            writer.writerow(
                [example.id, example.time, example.title, example.text, example.department]
            )
            count += 1
    return count


def _count(counter: dict[str, int], key: str) -> None:
    counter[key] = counter.get(key, 0) + 1
