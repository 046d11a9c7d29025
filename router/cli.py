"""The ``hotline`` command line."""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from router.exceptions import HotlineError
from router.settings import Settings

if TYPE_CHECKING:
    from classifiers.importer import ImportReport
    from classifiers.model import DepartmentModel
    from classifiers.registry import ModelRegistry
    from router.departments import Catalogue

log = logging.getLogger("hotline")


def _settings(args: argparse.Namespace) -> Settings:
    settings = Settings.from_env()
    logging.basicConfig(
        level=getattr(logging, settings.log_level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for chatty in ("kafka", "aiokafka"):  # client internals: connection chatter at INFO
        logging.getLogger(chatty).setLevel(logging.WARNING)
    return settings


def cmd_services(args: argparse.Namespace) -> int:
    """Run the embedded broker and Redis in the foreground until Ctrl-C."""
    from router.embedded import EmbeddedServices
    from topics.admin import ensure_topics

    settings = _settings(args)
    broker_port = args.broker_port or settings.broker_port
    redis_port = args.redis_port or settings.redis_port
    with EmbeddedServices(
        run_dir=settings.home / "run", broker_port=broker_port, redis_port=redis_port
    ) as services:
        services.write_state()
        assert services.state is not None
        ensure_topics(services.state.bootstrap_servers, partitions=settings.topic_partitions)
        print(f"broker  KAFKA_BOOTSTRAP_SERVERS={services.state.bootstrap_servers}")
        print(f"redis   REDIS_URL={services.state.redis_url}")
        print("topics  created; press Ctrl-C to stop both", flush=True)
        _wait_for_signal()
    print("stopped")
    return 0


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _wait_for_signal() -> None:
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass


def _load_model(
    settings: Settings, pinned: str | None, catalogue: Catalogue | None = None
) -> tuple[DepartmentModel, ModelRegistry | None]:
    from classifiers.registry import serving_model

    return serving_model(settings, pinned=Path(pinned) if pinned else None, catalogue=catalogue)


def cmd_console(args: argparse.Namespace) -> int:
    """Serve the agents' console, its JSON API and Open311 until stopped."""
    from router.console.server import serve
    from router.embedded import resolved
    from topics.admin import ensure_topics

    settings = _settings(args)
    with resolved(settings) as settings:
        ensure_topics(
            settings.kafka_bootstrap_servers,
            partitions=settings.topic_partitions,
            app_id=settings.app_id,
        )
        port = args.port or settings.console_port
        log.info("console: http://%s:%d/ (API docs at /api/docs)", args.host, port)
        serve(settings, host=args.host, port=port)
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    """Run the routing worker (Faust) until stopped."""
    import faust

    from classifiers.registry import ModelWatcher
    from router.app import create_app
    from router.departments import Catalogue
    from router.embedded import resolved
    from topics.admin import ensure_topics

    settings = _settings(args)
    catalogue = Catalogue.load()
    model, registry = _load_model(settings, args.model, catalogue)
    watcher = None if registry is None else ModelWatcher(registry=registry, loaded=model.version)
    with resolved(settings) as settings:
        ensure_topics(
            settings.kafka_bootstrap_servers,
            partitions=settings.topic_partitions,
            app_id=settings.app_id,
        )
        app, _ = create_app(settings=settings, model=model, catalogue=catalogue, watcher=watcher)
        log.info(
            "worker: model %s (%s), broker %s, metrics http://127.0.0.1:%d/metrics",
            model.version,
            "pinned" if registry is None else f"following the registry in {registry.root}",
            settings.kafka_bootstrap_servers,
            settings.web_port,
        )
        worker = faust.Worker(app, loglevel=settings.log_level, quiet=True)
        try:
            worker.execute_from_commandline()
        except SystemExit as exc:
            return int(exc.code or 0)
    return 0


def cmd_simulate(args: argparse.Namespace) -> int:
    """Feed synthetic traffic of all seven channels into the intake topics."""
    from router import simulator
    from router.embedded import resolved

    settings = _settings(args)
    with resolved(settings) as settings:
        producer = simulator.make_producer(settings.kafka_bootstrap_servers)
        stream = simulator.records(
            seed=args.seed,
            run_id=f"sim{int(time.time())}",
            bad_share=args.bad_share,
            resend_share=args.resend_share,
        )
        try:
            sent = simulator.run(
                producer,
                stream,
                rate=args.rate,
                count=args.count,
                on_tick=lambda n: print(f"sent {n} records", flush=True),
            )
        except KeyboardInterrupt:
            sent = -1
        finally:
            producer.close()
    if sent >= 0:
        print(f"sent {sent} records")
    return 0


def cmd_classify(args: argparse.Namespace) -> int:
    """Classify JSON lines {"id", "text"} from stdin; one JSON line out per line in."""
    from router.departments import Catalogue

    settings = _settings(args)
    catalogue = Catalogue.load()
    names = {department.code: department.name for department in catalogue}
    model, _ = _load_model(settings, args.model, catalogue)
    failures = 0
    for batch in _batches(sys.stdin, args.batch):
        ids, texts, errors = [], [], []
        for number, line in batch:
            try:
                item = json.loads(line)
                text = item["text"]
                if not isinstance(text, str) or not text.strip():
                    raise ValueError("text is empty or not a string")
                ids.append(item.get("id"))
                texts.append(text)
            except (ValueError, KeyError, TypeError) as exc:
                errors.append({"line": number, "error": f"{type(exc).__name__}: {exc}"})
        for error in errors:
            print(json.dumps(error, ensure_ascii=False))
        failures += len(errors)
        for item_id, prediction in zip(ids, model.predict(texts), strict=True):
            out = {
                "id": item_id,
                "department": prediction.department,
                "department_name": names.get(prediction.department),
                "confidence": prediction.confidence,
                "top": prediction.top,
            }
            print(json.dumps(out, ensure_ascii=False))
    return 1 if failures else 0


def _batches(lines: Iterator[str], size: int) -> Iterator[list[tuple[int, str]]]:
    batch: list[tuple[int, str]] = []
    for number, line in enumerate(lines, start=1):
        if line.strip():
            batch.append((number, line))
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def cmd_train(args: argparse.Namespace) -> int:
    """Train a model: on historical exports with --data, else the default synthetic one. It is
    added to the model registry, not promoted, unless --out names a directory."""
    from classifiers.registry import ModelRegistry

    settings = _settings(args)
    if args.out or settings.model_pinned:
        model_dir = Path(args.out) if args.out else settings.model_dir
        model = _train(args, model_dir)
    else:
        registry = ModelRegistry(root=settings.model_registry)
        with registry.staging() as staged:
            model = _train(args, staged)
            model_dir = registry.path_of(registry.add(staged))
        print(
            f"added model version {model.version} to the registry, NOT promoted: workers keep "
            f"{registry.current() or 'no model'}.\n"
            f"To switch every worker to it: hotline models promote {model.version}",
            file=sys.stderr,
        )
    print(json.dumps({"model_dir": str(model_dir), **model.metadata}, ensure_ascii=False, indent=2))
    return 0


def _train(args: argparse.Namespace, model_dir: Path) -> DepartmentModel:
    from classifiers.train import train_on_examples, train_synthetic

    if not args.data:
        return train_synthetic(model_dir, n=args.n, seed=args.seed)
    report = _import(args)
    _print_skipped(report)
    return train_on_examples(
        report.examples,
        model_dir,
        target_precision=args.target_precision,
        min_examples=args.min_examples,
        folds=args.folds,
        seed=args.seed,
        source=", ".join(Path(p).name for p in args.data),
    )


def cmd_models(args: argparse.Namespace) -> int:
    """The model registry: list versions, add one trained with --out, promote, roll back."""
    from dataclasses import asdict

    from classifiers.registry import ModelRegistry

    settings = _settings(args)
    registry = ModelRegistry(root=settings.model_registry)
    if args.action == "list":
        versions = registry.versions()
        if args.json:
            print(json.dumps([asdict(v) for v in versions], ensure_ascii=False))
            return 0
        for v in versions:
            scores = "  ".join(
                f"{name} {v.metrics[name]:.3f}"
                for name in ("accuracy", "macro_f1", "auto_dispatch_share")
                if isinstance(v.metrics.get(name), int | float)
            )
            marker = "*" if v.current else " "
            print(f"{marker} {v.version:<34} {v.trained_at:<26} {scores}  {v.training_data}")
        print(f"{len(versions)} versions in {registry.root} (* = current)")
        return 0
    if args.action in ("add", "promote") and not args.target:
        raise HotlineError(
            f"models {args.action} needs {'a DIR' if args.action == 'add' else 'a VERSION'}"
        )
    if args.action == "add":
        version = registry.add(Path(args.target))
        print(f"added {version}, not promoted; to promote it: hotline models promote {version}")
        return 0
    previous = registry.current()
    if args.action == "promote":
        model = registry.promote(args.target, actor=args.actor)
    else:
        model = registry.rollback(actor=args.actor)
    if model.version == previous:
        print(f"{model.version} is already the current version")
        return 0
    print(
        f"{args.action}: {previous or 'none'} → {model.version}; running workers switch within "
        f"{settings.model_poll_s:g} s (those pinned with --model or $HOTLINE_MODEL_DIR do not)"
    )
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    """Evaluate a model on labelled exports it never saw (JSON with --json)."""
    from classifiers.artefacts import load_model
    from classifiers.evaluate import evaluate
    from router.departments import Catalogue

    _settings(args)
    catalogue = Catalogue.load()
    report = _import(args)
    result = evaluate(load_model(Path(args.model)), report.examples, catalogue=catalogue)
    result["skipped_unknown_labels"] = report.unknown_labels
    if args.report:
        from classifiers.report import write_report

        names = {department.code: department.name for department in catalogue}
        result["report"] = str(write_report(result, Path(args.report), names=names))
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return 0
    print(f"model {result['model_version']} on {result['examples']} examples")
    print(f"accuracy {result['accuracy']:.3f}   macro-F1 {result['macro_f1']:.3f}")
    auto = result["model_thresholds"]
    print(
        f"auto-dispatched with the model's thresholds (else the catalogue's): "
        f"{auto['auto_dispatch_share']:.1%} "
        f"at {auto['auto_dispatch_precision']:.1%} precision"
    )
    for target, share in result["coverage_at_precision"].items():
        print(f"  coverage at {float(target):.0%} precision (one threshold): {share:.1%}")
    for pair in result["confusions"]:
        print(f"  {pair['count']:>4}  {pair['true']} taken for {pair['predicted']}")
    if args.report:
        print(f"report: {result['report']}")
    return 0


def cmd_split(args: argparse.Namespace) -> int:
    """Split labelled exports into a training and a test file (import format)."""
    from classifiers.importer import write_examples
    from classifiers.splitting import split_examples

    _settings(args)
    report = _import(args)
    _print_skipped(report)
    train, test = split_examples(
        report.examples, test_share=args.test_share, seed=args.seed, by_time=args.by_time
    )
    for name, examples, path in (("train", train, args.train_out), ("test", test, args.test_out)):
        count = write_examples(Path(path), examples)
        departments = len({e.department for e in examples})
        print(f"{name}: {count} examples of {departments} departments → {path}")
    return 0


def cmd_crossval(args: argparse.Namespace) -> int:
    """Stratified k-fold cross-validation on labelled exports (JSON with --json)."""
    from classifiers.crossval import cross_validate

    _settings(args)
    report = _import(args)
    _print_skipped(report)
    result = cross_validate(
        report.examples, folds=args.folds, seed=args.seed, min_examples=args.min_examples
    )
    result["skipped_unknown_labels"] = report.unknown_labels
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return 0
    print(
        f"{result['folds']}-fold cross-validation on {result['examples']} examples "
        f"of {result['departments']} departments (seed {result['seed']})"
    )
    for fold in result["per_fold"]:
        print(
            f"  fold {fold['fold']}: accuracy {fold['accuracy']:.3f}   "
            f"macro-F1 {fold['macro_f1']:.3f}   ({fold['test']} tested, {fold['seconds']:.0f} s)"
        )
    mean, std = result["mean"], result["std"]
    print(
        f"accuracy {mean['accuracy']:.3f} ± {std['accuracy']:.3f}   "
        f"macro-F1 {mean['macro_f1']:.3f} ± {std['macro_f1']:.3f}"
    )
    for label, count in result["left_out_too_few"].items():
        print(f"left out {label!r}: {count} examples, fewer than {result['min_examples']}")
    return 0


def _print_skipped(report: ImportReport) -> None:
    for name, count in report.unknown_labels.items():
        print(f"skipped {count} rows of unknown department {name!r}", file=sys.stderr)


def _add_import_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument("--data", action="append", help="a CSV/XLSX export (repeatable)")
    command.add_argument("--text-col", help="column with the request text")
    command.add_argument("--label-col", help="column with the handling department")
    command.add_argument("--title-col")
    command.add_argument("--time-col")
    command.add_argument("--id-col")
    command.add_argument("--aliases", help="CSV with columns name,code: more department names")
    command.add_argument(
        "--add-unknown", action="store_true", help="skip rows of unknown departments"
    )
    command.add_argument(
        "--labels-as-is",
        action="store_true",
        help="take labels verbatim, not as catalogue departments (categories; for measuring)",
    )


def _import(args: argparse.Namespace) -> ImportReport:
    from classifiers.importer import EXAMPLE_COLUMNS, Columns, import_export, read_table
    from router.departments import Catalogue

    if not args.data:
        raise HotlineError(
            "give --data (with --text-col and --label-col unless the file is in "
            "the import format: id,time,title,text,department)"
        )
    if bool(args.text_col) != bool(args.label_col):
        raise HotlineError("give both --text-col and --label-col, or neither (import format)")
    if args.labels_as_is and args.aliases:
        raise HotlineError("--aliases names catalogue departments: not with --labels-as-is")
    aliases = None
    if args.aliases:
        rows, _ = read_table(Path(args.aliases))
        aliases = {row["name"].strip(): row["code"].strip() for row in rows}
    return import_export(
        [Path(p) for p in args.data],
        columns=Columns(
            text=args.text_col,
            label=args.label_col,
            title=args.title_col,
            time=args.time_col,
            id=args.id_col,
        )
        if args.text_col
        else EXAMPLE_COLUMNS,
        catalogue=None if args.labels_as_is else Catalogue.load(),
        aliases=aliases,
        allow_unknown=args.add_unknown,
    )


def cmd_queues(args: argparse.Namespace) -> int:
    """Print how many tickets each department's queue stream has received."""
    import redis

    from router.departments import TRIAGE, Catalogue
    from router.embedded import resolved
    from router.queues import queue_depths

    settings = _settings(args)
    catalogue = Catalogue.load()
    queues = catalogue.queues()
    names = {d.code: d.name for d in catalogue} | {TRIAGE: "分拨台 (triage)"}
    with resolved(settings) as settings:
        depths = queue_depths(redis.Redis.from_url(settings.redis_url), queues)
    if args.json:
        print(json.dumps(depths))
        return 0
    for code, depth in sorted(depths.items(), key=lambda item: -item[1]):
        print(f"{depth:>8}  {code:<22} {names[code]}")
    print(f"{sum(depths.values()):>8}  total")
    return 0


def cmd_deadletter(args: argparse.Namespace) -> int:
    """List or replay dead letters."""
    from router import deadletters
    from router.embedded import resolved

    settings = _settings(args)
    offsets = set(args.offset) if args.offset else None
    with resolved(settings) as settings:
        letters = deadletters.read_letters(settings.kafka_bootstrap_servers)
        chosen = deadletters.select(letters, reason=args.reason, topic=args.topic, offsets=offsets)
        if args.action == "list":
            for stored in chosen:
                letter = stored.letter
                print(
                    f"{stored.offset:>8}  {letter.failed_at}  {letter.reason:<22} "
                    f"{letter.topic}[{letter.partition}]@{letter.offset}  {letter.detail}"
                )
            print(f"{len(chosen)} dead letters")
            return 0
        if args.dry_run:
            print(f"would replay {len(chosen)} dead letters")
            return 0
        count = deadletters.replay(settings.kafka_bootstrap_servers, chosen, to_topic=args.to)
    print(f"replayed {count} dead letters")
    return 0


def cmd_feedback(args: argparse.Namespace) -> int:
    """Export the departments people chose by hand as labelled examples (import format)."""
    from classifiers.feedback import collect_feedback, decode_records, parse_time
    from classifiers.importer import write_examples
    from router.departments import Catalogue
    from router.embedded import resolved
    from topics.catalogue import ROUTED
    from topics.events import EVENTS, TicketEvent
    from topics.reading import read_topic
    from topics.schemas import Ticket

    settings = _settings(args)
    try:
        since = parse_time(args.since) if args.since else None
    except ValueError as exc:
        raise HotlineError(f"--since {args.since!r} is not an ISO 8601 date") from exc
    with resolved(settings) as settings:
        bootstrap = settings.kafka_bootstrap_servers
        events, bad_events = decode_records(
            (m.value for m in read_topic(bootstrap, EVENTS, client_id="hotline-feedback")),
            TicketEvent.from_json,
        )
        wanted = {event.ticket_id.encode() for event in events}
        tickets, bad_tickets = decode_records(
            (
                m.value
                for m in read_topic(bootstrap, ROUTED, client_id="hotline-feedback")
                if m.key in wanted
            ),
            Ticket.from_json,
        )
    report = collect_feedback(
        tickets,
        events,
        catalogue=Catalogue.load(),
        since=since,
        include_confirmed=args.include_confirmed,
    )
    written = write_examples(Path(args.out), report.examples)
    summary = report.summary() | {
        "out": args.out,
        "unreadable": {EVENTS: bad_events, ROUTED: bad_tickets},
    }
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
        return 0
    print(f"wrote {written} examples to {args.out}")
    print("  " + " · ".join(f"{kind} {n}" for kind, n in report.kinds.items()))
    print(f"  {report.disagreed} corrections chose a department other than the engine's")
    if report.suggested_only:
        print(f"  suggested only, check before training: {', '.join(report.suggested_only)}")
    unknown = ", ".join(f"{code} ({n})" for code, n in report.unknown_departments.items())
    print(
        f"  skipped: {report.events_without_ticket} events of tickets not in {ROUTED}, "
        f"{report.unlabelled_returns} returns without a suggested department, "
        f"unknown departments: {unknown or 'none'}"
    )
    if bad_events or bad_tickets:
        print(f"  unreadable records: {bad_events} in {EVENTS}, {bad_tickets} in {ROUTED}")
    return 0


def cmd_departments(args: argparse.Namespace) -> int:
    """List the department catalogue, or resolve a raw department name to its code."""
    from router.departments import Catalogue
    from router.exceptions import UnknownDepartmentError

    catalogue = Catalogue.load()
    if args.action == "list":
        for dept in catalogue:
            print(f"{dept.code:<22} {dept.name}  ({', '.join(dept.aliases)})")
        return 0
    if not args.name:
        raise HotlineError("departments resolve needs a NAME")
    try:
        print(catalogue.resolve(args.name).code)
    except UnknownDepartmentError as exc:
        print(f"hotline: {exc}", file=sys.stderr)
        return 1
    return 0


def _new_password(args: argparse.Namespace) -> str:
    """One line of stdin with --password-stdin; else asked twice without echo."""
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise HotlineError("--password-stdin: no password on standard input")
        return password
    import getpass

    password = getpass.getpass(f"new password for {args.username}: ")
    if getpass.getpass("again: ") != password:
        raise HotlineError("the passwords do not match")
    return password


def cmd_users(args: argparse.Namespace) -> int:
    """Add or list the console's users, disable or enable them, reset their passwords."""
    from router.console.accounts import ROLES, Accounts
    from router.departments import Catalogue

    settings = _settings(args)
    if args.action != "list" and not args.username:
        raise HotlineError(f"users {args.action} needs a USERNAME")
    if args.action != "add" and (args.role or args.department or args.name is not None):
        raise HotlineError("--role, --department and --name go only with users add")
    if args.password_stdin and args.action not in ("add", "reset"):
        raise HotlineError("--password-stdin goes only with users add and users reset")
    if args.action == "add" and args.role not in ROLES:  # checked before asking for a password
        given = f"{args.role!r} is not a role" if args.role else "users add needs --role"
        raise HotlineError(f"{given}: one of {', '.join(ROLES)}")
    with Accounts.from_settings(settings, catalogue=Catalogue.load()) as accounts:
        if args.action == "list":
            users = accounts.list_users()
            width = max([len(user.username) for user in users] + [8])
            print(f"{'USERNAME':<{width}}  {'ROLE':<10}  {'DEPARTMENT':<22}  {'STATUS':<8}  NAME")
            for user in users:
                status = "disabled" if user.disabled else "enabled"
                print(
                    f"{user.username:<{width}}  {user.role:<10}  {user.department or '-':<22}  "
                    f"{status:<8}  {user.display_name}"
                )
            return 0
        if args.action == "add":
            if accounts.get_user(args.username) is not None:  # before asking for a password
                raise HotlineError(f"user {args.username!r} already exists")
            user = accounts.add_user(
                args.username,
                role=args.role,
                password=_new_password(args),
                department=args.department,
                display_name=args.name or "",
            )
            where = f" of {user.department}" if user.department else ""
            print(f"added {user.role} {user.username}{where}")
        elif args.action == "reset":
            if accounts.get_user(args.username) is None:
                raise HotlineError(f"cannot reset {args.username!r}: no such user")
            accounts.reset_password(args.username, _new_password(args))
            print(f"reset the password of {args.username}; their sessions have ended")
        elif args.action == "disable":
            accounts.disable_user(args.username)
            print(f"disabled {args.username}; their sessions have ended")
        else:
            accounts.enable_user(args.username)
            print(f"enabled {args.username}")
    return 0


def cmd_tokens(args: argparse.Namespace) -> int:
    """Add, list or revoke department API tokens and Open311 API keys."""
    from router.console.accounts import Accounts, DepartmentToken
    from router.departments import Catalogue

    settings = _settings(args)
    if args.action != "list" and not args.name:
        raise HotlineError(f"tokens {args.action} needs a NAME")
    if args.action != "add" and (args.department or args.open311 or args.key is not None):
        raise HotlineError("--department, --open311 and --key go only with tokens add")
    if args.action == "add" and bool(args.department) == bool(args.open311):
        raise HotlineError(
            "tokens add needs exactly one of --department CODE and --open311 CHANNEL"
        )
    if args.key is not None and not args.open311:
        raise HotlineError("--key goes only with --open311")
    with Accounts.from_settings(settings, catalogue=Catalogue.load()) as accounts:
        if args.action == "list":
            tokens = accounts.list_tokens()
            width = max([len(token.name) for token in tokens] + [4])
            print(f"{'NAME':<{width}}  {'KIND':<10}  {'FOR':<22}  CREATED")
            for token in tokens:
                kind, scope = (
                    ("department", token.department)
                    if isinstance(token, DepartmentToken)
                    else ("open311", token.channel)
                )
                created = time.strftime("%Y-%m-%d %H:%M", time.localtime(token.created_at))
                print(f"{token.name:<{width}}  {kind:<10}  {scope:<22}  {created}")
            return 0
        if args.action == "revoke":
            accounts.revoke(args.name)
            print(f"revoked {args.name}")
            return 0
        if args.department:
            secret = accounts.add_department_token(args.name, department=args.department)
        else:
            secret = accounts.add_api_key(args.name, channel=args.open311, key=args.key)
    what = "token" if args.department else "API key"
    print(secret)
    print(f"hotline: {args.name}'s {what} will not be shown again: store it now", file=sys.stderr)
    return 0


def cmd_sla(args: argparse.Namespace) -> int:
    """Print a ticket's SLA deadlines as JSON (needs no broker or Redis)."""
    from datetime import datetime

    from router.departments import Catalogue
    from router.sla_policy import REQUEST_TYPE_NAMES, SlaPolicy, deadlines
    from router.workcalendar import WorkCalendar
    from topics.schemas import REQUEST_TYPES

    settings = _settings(args)
    calendar = WorkCalendar.from_settings(settings)
    catalogue = Catalogue.load()
    policy = SlaPolicy.load(settings.sla_policy, catalogue=catalogue, calendar=calendar)
    request_type = REQUEST_TYPE_NAMES.get(args.type, args.type)
    if request_type not in REQUEST_TYPES:
        names = ", ".join((*REQUEST_TYPES, *REQUEST_TYPE_NAMES))
        raise HotlineError(f"--type {args.type!r} is not a request type ({names})")
    department = catalogue.resolve(args.department).code if args.department else None

    def instant(option: str, text: str) -> datetime:
        try:
            moment = datetime.fromisoformat(text)
        except ValueError as exc:
            raise HotlineError(f"{option} {text!r} is not an ISO 8601 date and time") from exc
        return moment if moment.tzinfo else moment.replace(tzinfo=calendar.tz)

    received = instant("--received", args.received)
    replied = instant("--replied", args.replied) if args.replied else None
    limits = policy.limits(request_type=request_type, urgency=args.urgency, department=department)
    due = deadlines(
        policy,
        calendar,
        received=received,
        request_type=request_type,
        urgency=args.urgency,
        department=department,
        replied=replied,
    )
    result = {
        "received": received.astimezone(calendar.tz).isoformat(),
        "category": policy.category(
            request_type=request_type, urgency=args.urgency, department=department
        ),
        "request_type": request_type,
        "urgency": args.urgency,
        "department": department,
        "limits": {clock: limit.text for clock, limit in limits.items()},
        "deadlines": {clock: moment.isoformat() for clock, moment in due.items()},
        "callback_from": "resolve_deadline" if replied is None else "replied",
    }
    print(json.dumps(result, ensure_ascii=False))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """Write the monthly three-rates ranking of departments (CSV and HTML)."""
    from contextlib import nullcontext
    from datetime import datetime

    from router.departments import Catalogue
    from router.embedded import resolved
    from router.lifecycle import Lifecycle
    from router.monthly_report import Month, monthly_report, write_csv, write_html
    from topics.catalogue import ROUTED
    from topics.events import EVENTS
    from topics.reading import read_topic

    settings = _settings(args)
    catalogue = Catalogue.load()
    lifecycle = Lifecycle.from_settings(settings, catalogue=catalogue)
    month = Month.parse(args.month, lifecycle.calendar.tz)
    # only the broker is read: a configured one is used without looking for a Redis
    broker = nullcontext(settings) if settings.kafka_bootstrap_servers else resolved(settings)
    with broker as settings:
        bootstrap = settings.kafka_bootstrap_servers
        routed = read_topic(bootstrap, ROUTED, client_id="hotline-report")
        events = read_topic(bootstrap, EVENTS, client_id="hotline-report")
        report = monthly_report(
            (m.value for m in routed if m.value is not None),  # not compaction's tombstones
            ((m.offset, m.value) for m in events if m.value is not None),
            lifecycle=lifecycle,
            catalogue=catalogue,
            month=month,
            now=datetime.now(lifecycle.calendar.tz),
        )
    paths = [write_csv(report, Path(args.out)), write_html(report, Path(args.out))]
    if args.json:
        files = {"files": [str(path) for path in paths]}
        print(json.dumps(report.to_dict() | files, ensure_ascii=False))
        return 0
    for path in paths:
        print(f"wrote {path}")
    print(
        f"  {month.label}: {report.total.volume} tickets, {report.rejected} events rejected, "
        f"{report.unreadable} unreadable records"
    )
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Services, worker and simulator together; prints where to look."""
    from router.demo import run_demo

    signal.signal(signal.SIGTERM, _interrupt)  # stopped like Ctrl-C: services stop too
    return run_demo(
        _settings(args), rate=args.rate, duration_s=args.duration, lifecycle=args.lifecycle
    )


def cmd_bench(args: argparse.Namespace) -> int:
    """Measure throughput, latency, memory and classification speed."""
    from router.bench import run_bench, run_training_bench
    from router.tracker_bench import run_tracker_bench

    settings = _settings(args)
    if args.training:
        return run_training_bench(n=args.train_n, folds=args.train_folds, as_json=args.json)
    if args.tracker:
        return run_tracker_bench(
            settings, tickets=args.tracker_tickets, events=args.tracker_events, as_json=args.json
        )
    if args.console:
        from router.console_bench import run_console_bench

        return run_console_bench(
            settings,
            tickets=args.console_tickets,
            requests=args.console_requests,
            as_json=args.json,
        )
    return run_bench(settings, n=args.n, rate=args.rate, as_json=args.json)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    from classifiers.training_defaults import DEFAULT_SEED, DEFAULT_TRAIN_SIZE

    parser = argparse.ArgumentParser(prog="hotline", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    def add(name: str, handler: Callable[[argparse.Namespace], int]) -> argparse.ArgumentParser:
        command = sub.add_parser(name, help=handler.__doc__, description=handler.__doc__)
        command.set_defaults(handler=handler)
        return command

    services = add("services", cmd_services)
    services.add_argument("--broker-port", type=int, help="default $HOTLINE_BROKER_PORT or 19092")
    services.add_argument("--redis-port", type=int, help="default $HOTLINE_REDIS_PORT or 16379")

    console = add("console", cmd_console)
    console.add_argument("--host", default="0.0.0.0", help="address to listen on")
    console.add_argument("--port", type=int, help="port (default: HOTLINE_CONSOLE_PORT, 8080)")

    worker = add("worker", cmd_worker)
    worker.add_argument("--model", help="pin this model directory (default: the registry)")

    simulate = add("simulate", cmd_simulate)
    simulate.add_argument("--rate", type=float, default=20.0, help="records per second")
    simulate.add_argument("--count", type=int, help="stop after this many (default: never)")
    simulate.add_argument("--seed", type=int, default=7)
    simulate.add_argument("--bad-share", type=float, default=0.0, help="share of bad records")
    simulate.add_argument("--resend-share", type=float, default=0.0, help="share re-sent")

    classify = add("classify", cmd_classify)
    classify.add_argument("--model", help="model directory (default: the registry's current)")
    classify.add_argument("--batch", type=int, default=256)

    train = add("train", cmd_train)
    train.add_argument("--out", "--model", dest="out", help="model directory to write")
    _add_import_arguments(train)
    train.add_argument("--target-precision", type=float, default=0.95)
    train.add_argument("--min-examples", type=int, default=20)
    train.add_argument(
        "--folds", type=int, default=5, help="cross-validation folds for the thresholds"
    )
    train.add_argument("--n", type=int, default=DEFAULT_TRAIN_SIZE, help="synthetic requests")
    train.add_argument("--seed", type=int, default=DEFAULT_SEED)

    models = add("models", cmd_models)
    models.add_argument("action", choices=["list", "add", "promote", "rollback"])
    models.add_argument("target", nargs="?", help="VERSION (promote) or model DIR (add)")
    models.add_argument("--json", action="store_true", help="list as one JSON array")
    models.add_argument("--actor", help="who promotes or rolls back (default $USER)")

    evaluate = add("evaluate", cmd_evaluate)
    evaluate.add_argument("--model", required=True, help="model directory")
    _add_import_arguments(evaluate)
    evaluate.add_argument("--json", action="store_true", help="print one JSON object")
    evaluate.add_argument("--report", metavar="DIR", help="write report.html and charts here")

    split = add("split", cmd_split)
    _add_import_arguments(split)
    split.add_argument("--test-share", type=float, default=0.5, help="share for the test file")
    split.add_argument("--seed", type=int, default=0)
    split.add_argument("--by-time", action="store_true", help="test on the latest (--time-col)")
    split.add_argument("--train-out", required=True, help="training CSV to write")
    split.add_argument("--test-out", required=True, help="test CSV to write")

    crossval = add("crossval", cmd_crossval)
    _add_import_arguments(crossval)
    crossval.add_argument("--folds", type=int, default=5)
    crossval.add_argument("--seed", type=int, default=0)
    crossval.add_argument(
        "--min-examples", type=int, default=20, help="leave out smaller departments (as train)"
    )
    crossval.add_argument("--json", action="store_true", help="print one JSON object")

    queues = add("queues", cmd_queues)
    queues.add_argument("--json", action="store_true")

    deadletter = add("deadletter", cmd_deadletter)
    deadletter.add_argument("action", choices=["list", "replay"])
    deadletter.add_argument("--reason", help="only this reason code")
    deadletter.add_argument("--topic", help="only letters from this original topic")
    deadletter.add_argument(
        "--offset", type=int, action="append", help="only this dead-letter offset (repeatable)"
    )
    deadletter.add_argument("--to", help="replay into this topic instead of the original")
    deadletter.add_argument("--dry-run", action="store_true")

    feedback = add("feedback", cmd_feedback)
    feedback.add_argument("action", choices=["export"])
    feedback.add_argument("--out", required=True, help="CSV file to write (import format)")
    feedback.add_argument("--since", help="only tickets received at or after this ISO date")
    feedback.add_argument(
        "--include-confirmed",
        action="store_true",
        help="also tickets the routed department answered without returning them",
    )
    feedback.add_argument("--json", action="store_true", help="print the report as one JSON object")

    departments = add("departments", cmd_departments)
    departments.add_argument("action", choices=["list", "resolve"])
    departments.add_argument("name", nargs="?", help="a raw department name (resolve)")

    users = add("users", cmd_users)
    users.add_argument("action", choices=["add", "reset", "disable", "enable", "list"])
    users.add_argument("username", nargs="?", help="the user's log-in name")
    users.add_argument("--role", help="dispatcher, handler, callback or supervisor (add)")
    users.add_argument("--department", help="a handler's department: code, name or alias (add)")
    users.add_argument("--name", help="display name (add)")
    users.add_argument(
        "--password-stdin", action="store_true", help="read the password from one line of stdin"
    )

    tokens = add("tokens", cmd_tokens)
    tokens.add_argument("action", choices=["add", "revoke", "list"])
    tokens.add_argument("name", nargs="?", help="the token's or API key's name")
    tokens.add_argument("--department", help="a department API token for this department (add)")
    tokens.add_argument("--open311", choices=["web", "app"], help="an Open311 API key (add)")
    tokens.add_argument("--key", help="the Open311 API key to store (default: a random one)")

    sla = add("sla", cmd_sla)
    sla.add_argument("action", choices=["deadline"])
    sla.add_argument("--received", required=True, help="ISO 8601; naive: $HOTLINE_TIMEZONE")
    sla.add_argument("--type", required=True, help="咨询, 求助, … or enquiry, help, …")
    sla.add_argument("--urgency", choices=["normal", "urgent"], default="normal")
    sla.add_argument("--department", help="a department code, name or alias")
    sla.add_argument("--replied", help="ISO 8601: the callback clock runs from here")

    report = add("report", cmd_report)
    report.add_argument("--month", required=True, help="YYYY-MM, e.g. 2026-10")
    report.add_argument("--out", default="reports", help="directory to write to (./reports)")
    report.add_argument("--json", action="store_true", help="also print the rows as JSON")

    demo = add("demo", cmd_demo)
    demo.add_argument("--rate", type=float, default=20.0, help="simulated records per second")
    demo.add_argument("--duration", type=float, help="stop after this many seconds")
    demo.add_argument(
        "--lifecycle",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="simulated staff sign, reply to, call back and close the routed tickets",
    )

    bench = add("bench", cmd_bench)
    bench.add_argument("--n", type=int, default=30_000, help="tickets for the throughput run")
    bench.add_argument("--rate", type=float, default=200.0, help="rate of the latency run")
    bench.add_argument("--json", action="store_true", help="print one JSON object")
    bench.add_argument(
        "--tracker", action="store_true", help="measure the SLA tracker instead (see docs)"
    )
    bench.add_argument("--tracker-tickets", type=int, default=100_000, help="open tickets")
    bench.add_argument("--tracker-events", type=int, default=60_000, help="lifecycle events")
    bench.add_argument(
        "--training", action="store_true", help="measure hotline train and classify instead"
    )
    bench.add_argument("--train-n", type=int, default=100_000, help="work orders to train on")
    bench.add_argument("--train-folds", type=int, default=5, help="hotline train --folds")
    bench.add_argument(
        "--console", action="store_true", help="measure the console's pages instead (see docs)"
    )
    bench.add_argument(
        "--console-tickets", type=int, default=10_000, help="open tickets in the department"
    )
    bench.add_argument("--console-requests", type=int, default=500, help="timed requests per page")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``hotline`` console script."""
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except HotlineError as exc:
        print(f"hotline: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into `head` and the like: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    sys.exit(main())
