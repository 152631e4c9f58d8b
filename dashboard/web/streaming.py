"""Downloads streamed as the engine sends them: memory stays flat whatever their size."""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator

from django.http import StreamingHttpResponse
from django.utils.http import content_disposition_header


async def streamed(chunks: Iterator[bytes]) -> AsyncIterator[bytes]:
    """``chunks`` read a chunk at a time off the event loop, so that the server sends a large
    download as it is read (a plain iterator would be read whole first), the next chunk read
    while one is sent; closed however the download ends, so that what it holds open (an
    engine's answer, a reading container) is let go even when the browser goes away."""
    reading = asyncio.ensure_future(asyncio.to_thread(next, chunks, b""))
    try:
        while chunk := await reading:
            reading = asyncio.ensure_future(asyncio.to_thread(next, chunks, b""))
            yield chunk
    finally:
        # A read under way cannot be stopped: the iterator is closed once it is over.
        with contextlib.suppress(Exception):
            await asyncio.shield(reading)
        if close := getattr(chunks, "close", None):
            await asyncio.to_thread(close)


def download(chunks: Iterator[bytes], filename: str, content_type: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(streamed(chunks), content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
