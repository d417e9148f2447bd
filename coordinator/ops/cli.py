"""The `fumin` command: up, web, worker, planner, migrate, token create, demo."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import warnings
from collections.abc import Callable
from pathlib import Path

from coordinator.auth.models import Role
from coordinator.ops import prepare
from coordinator.ops.checks import check
from coordinator.ops.embedded import answers, database_url, loopback, port_free, redis_url
from coordinator.ops.prepare import say
from coordinator.ops.supervisor import Child, Supervisor
from coordinator.platform.settings import Settings, SettingsError, load_settings

# platformdirs (used by the embedded PostgreSQL wheel) warns when XDG_RUNTIME_DIR is unset.
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")


def fail(message: str, status: int = 2) -> int:
    print(f"fumin: {message}", file=sys.stderr, flush=True)
    return status


# Commands


def cmd_up(args: argparse.Namespace) -> int:
    """Run everything: embedded servers if needed, migrations, web and worker."""
    settings = load_settings()
    if problem := prepare.check_admin_token(settings.admin_token):
        return fail(problem)
    if not port_free(settings.host, settings.port):
        return fail(f"PORT {settings.port} on {settings.host} is in use; set PORT to a free one", 1)
    data_dir = settings.data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)

    # Signals only ask for a stop from here on; every step below checks, and whatever has
    # started is stopped in reverse order on the way out.
    supervisor = Supervisor(say=say)
    supervisor.install_signal_handlers()
    try:
        with database_url(settings) as db_url:
            if supervisor.stop_signal is None:
                with redis_url(settings) as r_url:
                    token = _prepare(args, settings, db_url, supervisor)
                    if supervisor.stop_signal is None:
                        supervisor.children = _children(settings, data_dir, db_url, r_url)
                        supervisor.on_ready = _banner(settings, data_dir, token)
                        supervisor.run()
    finally:
        say("stopped")
    return 0


def _prepare(
    args: argparse.Namespace, settings: Settings, db_url: str, supervisor: Supervisor
) -> str | None:
    """Migrations, demo data and the admin token, stopping early if asked."""
    if supervisor.stop_signal is not None:
        return None
    say("applying migrations")
    prepare.migrate(db_url)
    if args.demo and supervisor.stop_signal is None:
        prepare.report_demo(asyncio.run(prepare.load_demo(db_url, settings)))
    if supervisor.stop_signal is not None:
        return None
    return asyncio.run(
        prepare.admin_token(db_url, settings.admin_token, settings.data_dir.resolve())
    )


def _children(settings: Settings, data_dir: Path, db_url: str, r_url: str) -> list[Child]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=db_url,
        REDIS_URL=r_url,
        FUMIN_DATA_DIR=str(data_dir),
        FUMIN_SECRET_KEY=prepare.secret_key(settings, data_dir),
        PYTHONUNBUFFERED="1",
    )
    return [
        Child(name, [sys.executable, "-m", "coordinator.ops.cli", name], env)
        for name in ("web", "worker", "planner")
    ]


def _banner(settings: Settings, data_dir: Path, token: str | None) -> Callable[[], bool]:
    """A check that prints where Fumin answers, once the web process accepts connections."""
    host = loopback(settings.host)
    url = f"http://{f'[{host}]' if ':' in host else host}:{settings.port}"

    def show() -> bool:
        if not answers(host, settings.port):
            return False
        lines = [
            "",
            "Fumin is running.",
            f"  URL:          {url}",
            f"  API docs:     {url}/api/docs",
            f"  Admin token:  {token}",
            f"  Data:         {data_dir}",
            "Press Ctrl-C to stop.",
            "",
        ]
        print("\n".join(lines), flush=True)
        return True

    return show


def cmd_web(args: argparse.Namespace) -> int:
    """Serve the HTTP API (what `fumin up` and the Procfile's web process run)."""
    from aiohttp import web

    from coordinator.app import create_app, serving

    settings = load_settings()
    missing = [
        name
        for name, value in (
            ("DATABASE_URL", settings.database_url),
            ("REDIS_URL", settings.redis_url),
        )
        if not value
    ]
    if missing:
        return fail(
            f"fumin web needs {' and '.join(missing)} (fumin up sets them for its children)"
        )
    from workers.run import stop_once

    def stop(signum: int) -> None:
        raise web.GracefulExit()

    # Our own signal handling: a SIGTERM repeated during the graceful stop (the process
    # group's and the supervisor's) must not kill the process half-way through it.
    loop = asyncio.new_event_loop()
    stop_once(loop, stop)
    print(f"fumin web: listening on http://{settings.host}:{settings.port}", flush=True)
    web.run_app(
        serving(create_app(settings)),
        host=settings.host,
        port=settings.port,
        access_log=None,
        print=None,
        shutdown_timeout=5,
        handle_signals=False,
        loop=loop,
    )
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    """Run a notification worker (`arq workers.settings.WorkerSettings`), or check one."""
    if args.check:
        return check("worker")
    from workers.run import run
    from workers.settings import WorkerSettings

    return run(WorkerSettings)


def cmd_planner(args: argparse.Namespace) -> int:
    """Run a planning worker (`arq workers.planner.PlannerSettings`), or check one."""
    if args.check:
        return check("planner")
    from workers.planner import PlannerSettings
    from workers.run import run

    return run(PlannerSettings)


def cmd_migrate(args: argparse.Namespace) -> int:
    """Apply database migrations (the Procfile's release step)."""
    settings = load_settings()
    with database_url(settings) as url:
        prepare.migrate(url)
    say("migrations applied")
    return 0


def cmd_token_create(args: argparse.Namespace) -> int:
    """Create an API token and print it (it is stored only as a hash)."""
    settings = load_settings()
    role = Role(args.role)
    with database_url(settings) as url:
        token = asyncio.run(
            prepare.create_token(url, role=role, name=args.name or f"{role.value} (cli)")
        )
    print(token, flush=True)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Load the demo subdistrict into an empty database."""
    settings = load_settings()
    with database_url(settings) as url:
        prepare.migrate(url)
        counts = asyncio.run(prepare.load_demo(url, settings))
    prepare.report_demo(counts)
    return 0 if counts is not None else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fumin",
        description="Fumin (福民): liaison visits and volunteer shifts for a subdistrict.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    up = commands.add_parser("up", help="run web and worker (embedded servers if needed)")
    up.add_argument("--demo", action="store_true", help="load demo data into an empty database")
    up.set_defaults(func=cmd_up)

    commands.add_parser("web", help="serve the HTTP API").set_defaults(func=cmd_web)
    for name, func, what in (
        ("worker", cmd_worker, "run a notification worker (relay, deliveries, cron jobs)"),
        ("planner", cmd_planner, "run a campaign planning worker"),
    ):
        worker = commands.add_parser(name, help=what)
        worker.add_argument("--check", action="store_true", help="exit 0 if one is healthy, else 1")
        worker.set_defaults(func=func)
    commands.add_parser("migrate", help="apply database migrations").set_defaults(func=cmd_migrate)
    commands.add_parser("demo", help="load demo data into an empty database").set_defaults(
        func=cmd_demo
    )

    token = commands.add_parser("token", help="manage API tokens")
    token_commands = token.add_subparsers(dest="token_command", required=True, metavar="ACTION")
    create = token_commands.add_parser("create", help="create a token and print it")
    create.add_argument("--role", required=True, choices=["admin", "coordinator", "viewer"])
    create.add_argument("--name", help="what the token is for (default: the role)")
    create.set_defaults(func=cmd_token_create)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `fumin` console script."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except SettingsError as exc:
        return fail(str(exc))


if __name__ == "__main__":
    sys.exit(main())
