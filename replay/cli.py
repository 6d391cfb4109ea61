"""``newsarchive replay serve|advance``: run the replay in its own process, drive it from another."""
from __future__ import annotations

import json
import os
import signal
import sys
import threading
import urllib.request
from pathlib import Path


def _write_state(path: Path, state: dict) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(state, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, path)   # readers never see half a file


def serve(args) -> int:
    from . import Replay
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    replay = Replay(clock=args.clock, config=getattr(args, "config", None), port_base=args.port_base)
    with replay:
        if args.write_config:
            replay.write_config(args.write_config)
        state = dict(replay.state(), pid=os.getpid())
        if args.state_file:
            _write_state(Path(args.state_file), state)
        print(f"replay: serving {len(replay.host_map)} hosts; control {replay.control_url}; clock {state['clock']}"
              + (f"; config {args.write_config}" if args.write_config else ""), flush=True)
        stop.wait()
    print("replay: stopped", flush=True)
    return 0


def advance(args) -> int:
    url = f"{args.control.rstrip('/')}/advance?days={args.days}&articles={args.articles}"
    with urllib.request.urlopen(urllib.request.Request(url, method="POST", data=b""), timeout=30) as resp:
        data = json.load(resp)
    print(json.dumps(data, ensure_ascii=False, indent=2))
    return 0


def cli_replay(args) -> int:
    if args.replay_command == "serve":
        return serve(args)
    if args.replay_command == "advance":
        return advance(args)
    print(f"unknown replay command {args.replay_command!r}", file=sys.stderr)
    return 2
