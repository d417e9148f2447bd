"""GET requests in one statement: the requests of public categories, newest requested
first, read from `open311_items` (each case's request as PostgreSQL rendered it when the
case last changed, items.py), the page's requests joined by PostgreSQL into one value of
bytes, which the list's brackets enclose. `textsend` gives a text's bytes in the
connection's encoding (asyncpg's is always UTF-8) as PostgreSQL would send the text itself;
`convert_to` gave the same bytes but checked every one, and joining text then turning it
into bytes copied the whole page twice more (a third of PostgreSQL's time for a page).

The statement is written once per shape (ids or filters, one status or both, language,
extensions) and run with a plan made for its values (`platform.listing.fetch_row`
with `custom_plan`): a plan made for any window would read every request of a wide one
and sort them, where the index gives the page in order.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from coordinator.open311.params import RequestsQuery
from coordinator.platform.db import Database
from coordinator.platform.i18n import Lang
from coordinator.platform.json_sql import JsonBody
from coordinator.platform.listing import fetch_row

ORDER = "created_at DESC, case_id DESC"
_STATEMENTS: dict[tuple[Any, ...], tuple[str, tuple[str, ...]]] = {}


def statement(shape: tuple[bool, bool, str | None, Lang, bool]) -> tuple[str, tuple[str, ...]]:
    """The statement of one shape (by ids, by codes, one status, language, extensions)
    and the names of its parameters, in order."""
    if (found := _STATEMENTS.get(shape)) is not None:
        return found
    by_ids, by_codes, status, lang, extensions = shape
    item = f"left({lang}, -1) || ', \"extended_attributes\": ' || ext_{lang} || '}}'"
    names: list[str] = []
    where = ["public"]
    if by_ids:
        where.append("number = ANY($1)")
        names.append("ids")
    else:
        where.append("created_at >= $1 AND created_at <= $2")
        names += ["start", "end"]
        if by_codes:
            names.append("codes")
            where.append(f"code = ANY(${len(names)})")
        if status is not None:
            where.append("open" if status == "open" else "NOT open")
    names += ["limit", "offset"]
    page = (
        f"SELECT {item if extensions else lang} AS j, created_at, case_id FROM open311_items"
        f" WHERE {' AND '.join(where)} ORDER BY {ORDER}"
        f" LIMIT ${len(names) - 1} OFFSET ${len(names)}"
    )
    # The page comes in ORDER already, so joining it in that order sorts nothing.
    joined = f"string_agg(textsend(j), '\\x2c20'::bytea ORDER BY {ORDER})"
    sql = f"SELECT COALESCE({joined}, ''::bytea) FROM ({page}) AS page"
    found = (sql, tuple(names))
    _STATEMENTS[shape] = found
    return found


async def read_requests(database: Database, query: RequestsQuery, lang: Lang) -> JsonBody:
    """The page of requests `query` asks for, as GeoReport's JSON list."""
    shape = (
        query.ids is not None,
        query.codes is not None,
        query.by_status,
        lang,
        query.extensions,
    )
    sql, names = statement(shape)
    values: Mapping[str, Any] = {
        "ids": list(query.ids or ()),
        "codes": list(query.codes or ()),
        "start": query.start,
        "end": query.end,
        "limit": query.page_size,
        "offset": (query.page - 1) * query.page_size,
    }
    row = await fetch_row(database, sql, [values[name] for name in names], custom_plan=True)
    return JsonBody(b"".join((b"[", row[0], b"]")))
