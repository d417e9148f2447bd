"""An SMTP server for benchmarks, in a process of its own: `python -m bench._smtp_sink
--fd N --out FILE`. It accepts every message and appends one line per accepted message to
FILE: the wall-clock time it answered 250 to DATA, a tab, and the recipients.

The parent binds the listening socket and passes its descriptor (no port race).
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import socket
import time
from pathlib import Path
from typing import IO

from aiosmtpd.smtp import SMTP, Envelope, Session


class Recorder:
    """Accepts every message and writes when it did, line-buffered so a reader sees it."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.out.write(f"{time.time():.6f}\t{','.join(envelope.rcpt_tos)}\n")
        return "250 Message accepted"


async def serve(sock: socket.socket, out_path: Path) -> None:
    with out_path.open("a", buffering=1, encoding="utf-8") as out:
        recorder = Recorder(out)
        loop = asyncio.get_running_loop()
        server = await loop.create_server(lambda: SMTP(recorder, hostname="127.0.0.1"), sock=sock)
        stop = asyncio.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        await stop.wait()
        server.close()
        await server.wait_closed()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench._smtp_sink")
    parser.add_argument("--fd", type=int, required=True, help="a listening socket's descriptor")
    parser.add_argument("--out", type=Path, required=True, help="file of accepted messages")
    args = parser.parse_args()
    asyncio.run(serve(socket.socket(fileno=args.fd), args.out))


if __name__ == "__main__":
    main()
