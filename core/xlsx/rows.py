"""Rows for a streamed export, fetched from the database while the sheet is written.

A national export spends most of its time in xlsxwriter and a fifth of it
waiting for PostgreSQL (a server-side cursor computing the next 2,000 rows
with their per-row subqueries). Fetched in a thread, those waits overlap the
writing: psycopg2 lets go of the GIL while it waits, and the database works on
the other core. The statement is executed in the caller's thread, through
Django (so it is logged and counted like any other); only the FETCHes of the
open cursor happen in the thread, on the same connection and transaction, a
few chunks ahead of the writer. Other databases (SQLite for the demo) are read
in the caller's thread.
"""

import queue
import threading

from django.db import connections
from django.db.models.sql.constants import MULTI

CHUNK = 2000
AHEAD = 4  # chunks waiting at most: memory stays flat


def queryset_rows(queryset, *, chunk: int = CHUNK):
    """The tuples of a `values_list()` queryset, as `.iterator(chunk)` gives them
    (Django's converters applied), fetched ahead of the caller on PostgreSQL."""
    compiler = queryset.query.get_compiler(queryset.db)
    chunks = compiler.execute_sql(MULTI, chunked_fetch=True, chunk_size=chunk)
    if connections[queryset.db].vendor == "postgresql":
        chunks = fetched_ahead(chunks)
    return compiler.results_iter(results=chunks, tuple_expected=True)


def sql_rows(sql: str, params, *, using: str = "default", chunk: int = CHUNK):
    """The rows of a raw SELECT from a server-side cursor, fetched ahead on PostgreSQL."""
    connection = connections[using]
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        chunks = iter(lambda: cursor.fetchmany(chunk), [])
        if connection.vendor != "postgresql":
            for rows in chunks:
                yield from rows
            return
        ahead = fetched_ahead(chunks)
        try:
            for rows in ahead:
                yield from rows
        finally:
            ahead.close()  # the thread has stopped before the cursor closes


_DONE = object()


def fetched_ahead(chunks, *, ahead: int = AHEAD):
    """Iterate `chunks` (each `next()` a round trip to the database) in a thread,
    at most `ahead` chunks ahead of the caller. An error in the thread is raised
    in the caller's; a caller that stops early stops the thread, which closes
    the chunks (and so the cursor) before this generator returns."""
    waiting = queue.Queue(maxsize=ahead)
    stop = threading.Event()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                waiting.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def fetch():
        try:
            for rows in chunks:
                if not put(rows):
                    break
            else:
                put(_DONE)
        except BaseException as error:  # handed to the caller, raised there
            put(error)
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()

    thread = threading.Thread(target=fetch, name="export-rows", daemon=True)
    thread.start()
    try:
        while True:
            item = waiting.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join()
