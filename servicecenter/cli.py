"""The `servicecenter` command: serve, migrate, seed (demo, synthetic), reindex, check-rules, import (JSON,
XZuFi), import-leika, import-people, export, users and tokens.

The service itself (`serve`) and the routing engine (`check-rules`) are imported by their commands only:
they are most of what the package loads, and the other commands (a user added by a script, an import
run at night) start in half the time without them."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import structlog
from sqlalchemy import func, select
from tqdm import tqdm

from knowledge import accounts
from knowledge.accounts import Role
from knowledge.catalogue import leika
from knowledge.catalogue.document import CatalogueDocument, DocumentError
from knowledge.catalogue.exchange import ImportReport, export_document, import_document, record_import
from knowledge.catalogue.models import County, Service
from knowledge.catalogue.synthetic import ID_PREFIX, add_synthetic_services
from knowledge.catalogue.xzufi import looks_like_xml, read_transfer, xzufi_document
from knowledge.directory.people_csv import PeopleFileError, PeopleReport, parse_people_csv, replace_people
from knowledge.search.index import SearchIndex
from knowledge.search.sync import rebuild_index
from knowledge.storage.db import create_engine
from knowledge.storage.migrate import upgrade
from routing.errors import RuleFileError
from servicecenter.auth import hash_password
from servicecenter.bootstrap import open_database, seed_demo, seed_demo_people
from servicecenter.logs import configure_logging
from servicecenter.settings import Settings
from servicecenter.worker_slot import WorkerSlot

__all__ = ["main"]

log = structlog.get_logger(__name__)


def _settings(args: argparse.Namespace, **overrides: Any) -> Settings:
    if getattr(args, "data_dir", None):
        overrides["data_dir"] = args.data_dir
    return Settings(**overrides)


def serve(args: argparse.Namespace) -> int:
    """Run the service until interrupted, in one process or `--workers N`; SIGHUP reloads the routing rules."""
    from servicecenter.workers import WorkerCountError, resolve_workers, run_worker, serve_workers

    overrides = {k: v for k in ("host", "port", "route_port") if (v := getattr(args, k)) is not None}
    settings = _settings(args, **overrides)
    try:
        count = resolve_workers(settings, args.workers)
    except WorkerCountError as error:
        print(f"servicecenter serve: {error}", file=sys.stderr)
        return 2
    configure_logging(log_format=settings.log_format, level=settings.log_level)
    if count == 1 and settings.route_port is None:
        run_worker(settings, WorkerSlot())
        return 0
    return serve_workers(settings, count)


async def migrate(args: argparse.Namespace) -> int:
    """Bring the schema up to date."""
    settings = _settings(args)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = create_engine(settings.database)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()
    print("schema is up to date", file=sys.stderr)
    return 0


def _print_report(report: ImportReport) -> None:
    for section, counts in report.summary().items():
        print(f"{section:18} " + "  ".join(f"{k} {v:>5}" for k, v in counts.items()), file=sys.stderr)
    for section, ids in report.updated.items():
        for item in ids:
            print(f"  ~ {section}: {item}", file=sys.stderr)
    for section, ids in report.created.items():
        for item in ids:
            print(f"  + {section}: {item}", file=sys.stderr)


async def seed(args: argparse.Namespace) -> int:
    """Load the demo catalogue, then any synthetic services; the index follows on the next start or `reindex`."""
    settings = _settings(args)
    engine, sessionmaker = await open_database(settings, load_demo=False)
    try:
        report = await seed_demo(sessionmaker, directory=settings.catalogue_dir, only_if_empty=False)
        assert report is not None
        _print_report(report)
        if people := await seed_demo_people(sessionmaker, directory=settings.catalogue_dir):
            print(f"people             created {people:>5}", file=sys.stderr)
        if args.synthetic:
            with tqdm(total=args.synthetic, unit=" services", desc="generating", file=sys.stderr) as bar:
                async with sessionmaker() as session, session.begin():
                    first, last = await add_synthetic_services(
                        session,
                        count=args.synthetic,
                        seed=args.seed,
                        progress=lambda n: bar.update(n - bar.n),
                    )
            print(
                f"added {args.synthetic} synthetic services ({ID_PREFIX}{first:06d} … {ID_PREFIX}{last:06d})",
                file=sys.stderr,
            )
    finally:
        await engine.dispose()
    return 0


async def reindex(args: argparse.Namespace) -> int:
    """Rebuild the search index from the database, showing progress."""
    settings = _settings(args)
    engine, sessionmaker = await open_database(settings)
    index = SearchIndex(settings.index_dir)
    try:
        async with sessionmaker() as session:
            services = await session.scalar(select(func.count()).select_from(Service)) or 0
            entries = await session.scalar(select(func.count()).select_from(leika.LeikaEntry)) or 0
        with tqdm(total=services + entries, unit=" documents", desc="indexing", file=sys.stderr) as bar:
            count = await rebuild_index(index, sessionmaker, progress=lambda n: bar.update(n - bar.n))
    finally:
        index.close()
        await engine.dispose()
    print(f"indexed {services} services and {count - services} LeiKa entries", file=sys.stderr)
    return 0


def check_rules(args: argparse.Namespace) -> int:
    """Validate a routing rule file: every problem to stderr and exit 1, or the all-clear to stdout."""
    from servicecenter.policy_service import check_rule_file

    settings = _settings(args)
    path = args.file or settings.rules_file
    try:
        check_rule_file(path, settings.catalogue_dir)
    except RuleFileError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        print(f"{len(error.problems)} Fehler in {path}", file=sys.stderr)
        return 1
    print(f"{path}: keine Fehler")
    return 0


def _print_problems(error: DocumentError) -> None:
    for problem in error.problems:
        print(f"{'.'.join(map(str, problem['loc']))}: {problem['msg']}", file=sys.stderr)


async def import_(args: argparse.Namespace) -> int:
    """Import a catalogue document (JSON) or an XZuFi 2.2 transfer (XML, recognised by its content).

    With --dry-run, show what would change and change nothing.
    """
    try:
        data = Path(args.file).read_bytes()
        if looks_like_xml(data):
            root = read_transfer(data)
            document = None
        else:
            document = CatalogueDocument.parse(json.loads(data.decode("utf-8")))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        print(f"cannot read {args.file}: {error}", file=sys.stderr)
        return 1
    except DocumentError as error:
        _print_problems(error)
        return 1
    engine, sessionmaker = await open_database(_settings(args), load_demo=False)
    try:
        async with sessionmaker() as session:
            transaction = await session.begin()
            try:
                if document is None:
                    document = await xzufi_document(session, root)
            except DocumentError as error:
                await transaction.rollback()
                _print_problems(error)
                return 1
            report = await import_document(session, document)
            if args.dry_run or not report.changed:
                await transaction.rollback()
            else:
                await record_import(session, report, actor=f"cli:{getpass.getuser()}")
                await transaction.commit()
    finally:
        await engine.dispose()
    _print_report(report)
    print("dry run: nothing was changed" if args.dry_run else "imported", file=sys.stderr)
    return 0


def _print_leika_report(report: leika.LeikaReport, names: dict[str, str]) -> None:
    print(
        f"leika entries      created {len(report.created):>5}  updated {len(report.updated):>5}  "
        f"deleted {len(report.deleted):>5}  unchanged {report.unchanged:>5}",
        file=sys.stderr,
    )
    for sign, keys in (("+", report.created), ("~", report.updated), ("-", report.deleted)):
        for key in keys:
            print(f"  {sign} {key} {names.get(key, '')}", file=sys.stderr)
    for key, services in report.orphaned.items():
        print(f"  ! {key} is gone but still carried by: {', '.join(services)}", file=sys.stderr)


async def import_leika(args: argparse.Namespace) -> int:
    """Replace the LeiKa list with a CSV file (same columns as config/catalogue/reference/leika-2019.csv):
    all or nothing, a second run of the same file changes nothing; the search index follows."""
    try:
        entries = leika.parse_csv(Path(args.file).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        print(f"cannot read {args.file}: {error}", file=sys.stderr)
        return 1
    except leika.LeikaError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        print(f"{len(error.problems)} problem(s) in {args.file}; nothing was changed", file=sys.stderr)
        return 1
    engine, sessionmaker = await open_database(_settings(args), load_demo=False)
    try:
        async with sessionmaker() as session:
            async with session.begin():
                old = {e.key: e.name for e in (await leika.list_entries(session, limit=1_000_000))[1]}
            transaction = await session.begin()
            report = await leika.replace_entries(session, entries)
            if args.dry_run or not report.changed:
                await transaction.rollback()
            else:
                await transaction.commit()
    finally:
        await engine.dispose()
    _print_leika_report(report, old | {e.key: e.name for e in entries})
    if args.dry_run:
        print("dry run: nothing was changed", file=sys.stderr)
    else:
        print("imported" if report.changed else "nothing changed", file=sys.stderr)
    return 0


def _print_people_report(report: PeopleReport) -> None:
    print(
        f"people             created {len(report.created):>5}  updated {len(report.updated):>5}  "
        f"deleted {len(report.deleted):>5}  unchanged {report.unchanged:>5}",
        file=sys.stderr,
    )
    for person_id, name in report.created:
        print(f"  + {person_id} {name}", file=sys.stderr)
    for person_id, name, fields in report.updated:
        print(f"  ~ {person_id} {name}: {', '.join(fields)}", file=sys.stderr)
    for person_id, name in report.deleted:
        print(f"  - {person_id} {name}", file=sys.stderr)


async def import_people(args: argparse.Namespace) -> int:
    """Make a county's people those of a CSV file (knowledge/directory/people_csv.py): all or nothing,
    every change audited, people missing from the file removed; a second run changes nothing."""
    try:
        records = parse_people_csv(Path(args.file).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        print(f"cannot read {args.file}: {error}", file=sys.stderr)
        return 1
    except PeopleFileError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        print(f"{len(error.problems)} problem(s) in {args.file}; nothing was changed", file=sys.stderr)
        return 1
    engine, sessionmaker = await open_database(_settings(args), load_demo=False)
    try:
        async with sessionmaker() as session:
            transaction = await session.begin()
            if await session.get(County, args.county) is None:
                await transaction.rollback()
                print(f"unknown county {args.county!r}", file=sys.stderr)
                return 1
            try:
                report = await replace_people(
                    session, county=args.county, records=records, actor=f"cli:{getpass.getuser()}"
                )
            except PeopleFileError as error:
                await transaction.rollback()
                for problem in error.problems:
                    print(problem, file=sys.stderr)
                print(
                    f"{len(error.problems)} problem(s) in {args.file}; nothing was changed", file=sys.stderr
                )
                return 1
            if args.dry_run or not report.changed:
                await transaction.rollback()
            else:
                await transaction.commit()
    finally:
        await engine.dispose()
    _print_people_report(report)
    if args.dry_run:
        print("dry run: nothing was changed", file=sys.stderr)
    else:
        print("imported" if report.changed else "nothing changed", file=sys.stderr)
    return 0


async def export(args: argparse.Namespace) -> int:
    """Write the catalogue document to FILE or standard output."""
    engine, sessionmaker = await open_database(_settings(args))
    try:
        async with sessionmaker() as session:
            document = await export_document(session)
    finally:
        await engine.dispose()
    text = json.dumps(document.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"
    if args.file:
        Path(args.file).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


async def user_add(args: argparse.Namespace) -> int:
    """Create a user; the password is the first line of standard input."""
    role = Role(args.role)
    if accounts.role_county_problem(role, args.county) is not None:
        print("--county KEY is required for county_editor and only for it", file=sys.stderr)
        return 2
    password = sys.stdin.readline().rstrip("\r\n")
    if len(password) < accounts.MIN_PASSWORD_LENGTH:
        print(
            f"the password (from standard input) needs at least {accounts.MIN_PASSWORD_LENGTH} characters",
            file=sys.stderr,
        )
        return 2
    engine, sessionmaker = await open_database(_settings(args))
    try:
        async with sessionmaker.begin() as session:
            if await accounts.get_user(session, name=args.name) is not None:
                print(f"user {args.name!r} exists already", file=sys.stderr)
                return 1
            if args.county is not None and await session.get(County, args.county) is None:
                print(f"unknown county {args.county!r}", file=sys.stderr)
                return 1
            await accounts.add_user(
                session, name=args.name, role=role, county=args.county, password_hash=hash_password(password)
            )
    finally:
        await engine.dispose()
    print(f"user {args.name} created ({role})", file=sys.stderr)
    return 0


async def token_create(args: argparse.Namespace) -> int:
    """Print a new API token for a user; it is shown this once, only its hash is stored."""
    engine, sessionmaker = await open_database(_settings(args))
    try:
        async with sessionmaker.begin() as session:
            user = await accounts.get_user(session, name=args.name)
            if user is None:
                print(f"no user {args.name!r}", file=sys.stderr)
                return 1
            token = await accounts.create_token(session, user=user)
    finally:
        await engine.dispose()
    print(token)
    return 0


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def _default(name: str) -> str:
    """A setting's built-in default and the variable that overrides it, for --help (no value repeated here)."""
    return f"default: {Settings.model_fields[name].default}; SERVICECENTER_{name.upper()} overrides it"


def _add_data_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", type=Path, help=f"data directory ({_default('data_dir')})")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="servicecenter", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    def command(name: str, handler: Callable, help_: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_, description=help_)
        _add_data_dir(sub)
        sub.set_defaults(handler=handler)
        return sub

    sub = command("serve", serve, "run the service")
    sub.add_argument("--host", help=f"address to listen on ({_default('host')})")
    sub.add_argument("--port", type=int, help=f"port to listen on ({_default('port')})")
    sub.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="processes sharing the port (default: the number of cores on PostgreSQL, 1 on SQLite; "
        "SERVICECENTER_WORKERS overrides it)",
    )
    sub.add_argument(
        "--route-port",
        type=int,
        metavar="PORT",
        help="also answer the PBX's routing requests on PORT, in a process that does nothing else, so a "
        "decision never waits behind a search (PostgreSQL only)",
    )
    command("migrate", migrate, "bring the database schema up to date")
    sub = command("seed", seed, "load the demo catalogue")
    sub.add_argument(
        "--synthetic",
        type=_count,
        default=0,
        metavar="N",
        help="then add N generated services for benchmarks (numbered after those already there)",
    )
    sub.add_argument(
        "--seed", type=int, default=115, help="random seed of the generated services (default 115)"
    )
    command("reindex", reindex, "rebuild the search index from the database")
    sub = command(
        "check-rules",
        check_rules,
        "validate a routing rule file (its units against the demo catalogue in catalogue_dir)",
    )
    sub.add_argument("file", nargs="?", type=Path)
    sub = command("import", import_, "import a catalogue document (JSON) or an XZuFi 2.2 transfer (XML)")
    sub.add_argument("file")
    sub.add_argument("--dry-run", action="store_true", help="show the differences, change nothing")
    sub = command("import-leika", import_leika, "replace the LeiKa reference list with a CSV file")
    sub.add_argument("file")
    sub.add_argument("--dry-run", action="store_true", help="show the differences, change nothing")
    sub = command(
        "import-people",
        import_people,
        "make a county's people of the switchboard directory those of a CSV file",
    )
    sub.add_argument("file")
    sub.add_argument("--county", required=True, help="Kreisschlüssel of the county the file lists")
    sub.add_argument("--dry-run", action="store_true", help="show the differences, change nothing")
    sub = command("export", export, "export the catalogue document (JSON)")
    sub.add_argument("file", nargs="?")

    user = commands.add_parser("user", help="manage users").add_subparsers(dest="user_command", required=True)
    sub = user.add_parser("add", help="create a user; the password is read from standard input")
    _add_data_dir(sub)
    sub.add_argument("name")
    sub.add_argument("--role", required=True, choices=[r.value for r in Role])
    sub.add_argument("--county", help="Kreisschlüssel, for county_editor")
    sub.set_defaults(handler=user_add)
    token = commands.add_parser("token", help="API tokens").add_subparsers(
        dest="token_command", required=True
    )
    sub = token.add_parser("create", help="print a new API token for a user (shown once)")
    _add_data_dir(sub)
    sub.add_argument("name")
    sub.set_defaults(handler=token_create)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `servicecenter` console script."""
    args = _parser().parse_args(argv)
    if args.command != "serve":
        configure_logging(log_format=Settings().log_format, level="warning")
    result: int | Coroutine[Any, Any, int] = args.handler(args)
    return asyncio.run(result) if asyncio.iscoroutine(result) else result


if __name__ == "__main__":
    raise SystemExit(main())
