"""Runs moto's server behind the dmsemu compatibility layer on a loopback port."""

from __future__ import annotations

import argparse
import logging
import os
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dmsemu", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("EMULATOR_PORT", "4566")))
    args = parser.parse_args(argv)
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"dmsemu: refusing to listen on {args.host}: loopback only", file=sys.stderr)
        return 2
    os.environ.setdefault("MOTO_PORT", str(args.port))
    # AWS managed policies (AmazonDMSVPCManagementRole…) exist in every account.
    os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")

    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
    from werkzeug.serving import run_simple

    from .app import CompatApp

    _watch_parent(os.environ.get("DMSEMU_PARENT_PID"))
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    moto_app = DomainDispatcherApplication(create_backend_app)
    app = CompatApp(moto_app)
    run_simple(args.host, args.port, app, threaded=True, use_reloader=False, request_handler=MotoRequestHandler)
    return 0


def _watch_parent(pid: str | None) -> None:
    """Exits once the process that asked for this emulator (a test run) is gone."""
    if not pid:
        return
    import threading
    import time

    def watch() -> None:
        while True:
            time.sleep(0.5)
            try:
                os.kill(int(pid), 0)
            except (OSError, ValueError):
                os._exit(0)

    threading.Thread(target=watch, daemon=True, name="parent-watch").start()


if __name__ == "__main__":
    sys.exit(main())
