"""One writer of the concurrency test: waits for the start file, stages its own batch, publishes.

``python concurrent_writer.py <store> <dt> <name> <start file>``; prints the batch ids it published.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

# storekit beside this file, lakekit in tests/; the checkout goes first so that its packages win over
# tests/pipelines and tests/newsarchive (folders of tests, importable as namespace packages).
for _path in (Path(__file__).parent, Path(__file__).parents[2], Path(__file__).parents[3]):
    sys.path.insert(0, str(_path))
from storekit import article, publish, stage, story, syndicated  # noqa: E402

from pipelines.storage import Store  # noqa: E402


def main() -> None:
    uri, dt, name, start = sys.argv[1:5]
    store = Store(uri)
    n = sum(map(ord, name))
    run = f"cli__{dt}T000000__{name}"
    shared = story(7000)              # every writer also sees one shared story: one article in the end
    arts = [article(story(n * 10 + i), source=name, run_id=run) for i in range(5)]
    arts.append(article(syndicated(shared)[n % 4], source=name, run_id=run,
                        url=f"https://{name}.example.cn/shared.html"))
    while not Path(start).exists():
        time.sleep(0.01)
    stage(store, dt, run, arts)
    for b in publish(store, run_id=f"pub__{dt}T000000__{name}", dt=dt):
        print(b.batch)


if __name__ == "__main__":
    main()
