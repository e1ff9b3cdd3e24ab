"""Ids in a URL path, bounded at the edge: one type for every endpoint and page of both apps.

A number the database cannot hold (`/api/conversations/32263954375404916635074560/labels`) made
the driver fail (a 500): bounded here, it is a 422 for the API and the 404 page for pages
(kit/web.py), before any query. Every id column is a BIGINT (kit/db.py `IdMixin`); numbers kept in
INTEGER columns (a mapping's version) use `PathNumber`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

from carinho.kit.db import BIGINT_MAX, INT_MAX

ID_MAX = BIGINT_MAX
# With a description of its own: `Annotated[int, Path(ge=1, le=ID_MAX, description="...")]`.
Id = Annotated[int, Path(ge=1, le=ID_MAX)]
# An optional id in a query string (a filter): `assignee_id: QueryId = None`.
QueryId = Annotated[int | None, Query(ge=1, le=ID_MAX)]
# An id in a JSON body: the apps' documents give a body field's bounds as floats, and 2**63 - 1 has
# no float (it is written 9.223372036854776e+18, read back as a number above the check's). A round
# bound, written and read back exactly, keeps what the document says and what the check accepts equal.
BODY_ID_MAX = 9 * 10**18
# A path number stored in an INTEGER column (not an id): 1 … 2³¹−1.
PATH_NUMBER_MAX = INT_MAX
PathNumber = Annotated[int, Path(ge=1, le=PATH_NUMBER_MAX)]
