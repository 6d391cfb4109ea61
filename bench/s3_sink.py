"""A null S3 endpoint for ``bench.s3``: answers every request 200 and discards the body.

    python -m bench.s3_sink PORT          (127.0.0.1 only; prints "ready" when listening)

It reads each request's body in full (Content-Length or chunked) over keep-alive connections, so a client's
upload costs everything but the server's work: signing, checksums, HTTP and the socket copies.
"""
from __future__ import annotations

import asyncio
import sys

_OK = b'HTTP/1.1 200 OK\r\nETag: "0"\r\nContent-Length: 0\r\nx-amz-request-id: 0\r\n\r\n'


async def _body(reader: asyncio.StreamReader, headers: dict[str, str]) -> None:
    if "chunked" in headers.get("transfer-encoding", ""):
        while True:
            size = int((await reader.readline()).split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while (await reader.readline()).strip():      # trailers, then the blank line
                    pass
                return
            await reader.readexactly(size + 2)
    n = int(headers.get("content-length", "0"))
    while n:
        n -= len(await reader.read(min(n, 1 << 20)))


async def _serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            line = await reader.readline()
            if not line:
                break
            headers = {}
            while (h := await reader.readline()).strip():
                k, _, v = h.decode("latin-1").partition(":")
                headers[k.strip().lower()] = v.strip()
            if headers.get("expect", "").lower() == "100-continue":
                writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            await _body(reader, headers)
            writer.write(_OK)
            await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        writer.close()


async def main(port: int) -> None:
    server = await asyncio.start_server(_serve, "127.0.0.1", port, limit=1 << 20)
    print("ready", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
