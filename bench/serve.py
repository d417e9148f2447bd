"""The servers a benchmark measures, each run in a subprocess of its own by bench.common.

    python -m bench.serve fumin  --fd N                  # create_app(), settings from the env
    python -m bench.serve static --fd N --responses F    # canned bytes per path, from memory

The parent binds the listening socket and passes its descriptor (no port race).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import socket
from pathlib import Path

from aiohttp import web

JSON = "application/json"


def static_app(responses: dict[str, bytes], default: bytes | None = None) -> web.Application:
    """A bare handler: the body stored for the request's path and query, nothing else."""

    async def answer(request: web.Request) -> web.Response:
        body = responses.get(request.path_qs, default)
        if body is None:
            return web.Response(status=404)
        return web.Response(body=body, content_type=JSON, charset="utf-8")

    app = web.Application()
    app.router.add_route("GET", "/{tail:.*}", answer)
    return app


def load_responses(path: Path) -> dict[str, bytes]:
    """Read a {path_qs: body text} JSON file written by the benchmark."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {key: value.encode() for key, value in raw.items()}


def fumin_app() -> web.Application:
    from coordinator.app import create_app, serving
    from coordinator.platform.settings import load_settings

    return serving(create_app(load_settings()))  # as `fumin web` runs it


async def serve(app: web.Application, sock: socket.socket) -> None:
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    await web.SockSite(runner, sock).start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()
    await runner.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.serve")
    parser.add_argument("kind", choices=["fumin", "static"])
    parser.add_argument("--fd", type=int, required=True, help="a listening socket's descriptor")
    parser.add_argument("--responses", type=Path, help="static: {path_qs: body} JSON file")
    parser.add_argument("--default", help="static: the body for any other path")
    args = parser.parse_args()

    sock = socket.socket(fileno=args.fd)
    if args.kind == "fumin":
        app = fumin_app()
    else:
        responses = load_responses(args.responses) if args.responses else {}
        default = args.default.encode() if args.default is not None else None
        app = static_app(responses, default)
    asyncio.run(serve(app, sock))


if __name__ == "__main__":
    main()
