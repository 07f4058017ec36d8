"""``flankwatch query``: SQL on a recording, its first rows shown as a table.

Imported when the command runs (see :data:`flankwatch.cli.LAZY_COMMANDS`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from flankwatch.cli_common import fail, shown


def query(
    recording: Annotated[Path, typer.Argument(help="a recording folder")],
    sql: Annotated[str, typer.Argument(help="SQL over the recording's tables (views)")],
    limit: Annotated[int, typer.Option(min=0, help="rows to show at most")] = 50,
) -> None:
    """Run SQL on a recording (tables: plots, truth, objects, sensors, ...)."""
    import duckdb
    from rich.table import Table
    from rich.text import Text

    from flankwatch.printing import console, errors
    from flankwatch.store.query import QueryError, query_head
    from flankwatch.store.recording import RecordingError

    try:
        head = query_head(recording, sql, limit)
    except (RecordingError, QueryError) as error:
        raise fail(str(error), 2) from None
    except duckdb.Error as error:
        raise fail(f"{recording}: {error}", 2) from None
    except OSError as error:
        raise fail(str(error), 1) from None
    for reason in head.unreadable.values():
        errors.print(f"warning: {shown(reason)}; left out (the query does not name it)")
    table = Table()
    for column in head.columns:
        table.add_column(Text(shown(column)), overflow="fold")
    for row in head.rows:
        table.add_row(*(Text(_cell(value)) for value in row))
    console.print(table)
    if head.total > len(head.rows):
        console.print(f"({head.total - len(head.rows):,} more rows; use --limit)")


MAX_CELL_CHARS = 1_000
"""Characters of one query result cell shown at most."""


def _cell(value: object) -> str:
    """A query result's value as shown: floats to 6 digits, long text cut short."""
    text = f"{value:.6g}" if isinstance(value, float) else str(value)
    if len(text) > MAX_CELL_CHARS:
        text = f"{text[:MAX_CELL_CHARS]}... ({len(text) - MAX_CELL_CHARS:,} more characters)"
    return shown(text)
