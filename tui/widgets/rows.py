"""The key of the row under a table's cursor: how panes name what the operator selected."""

from __future__ import annotations

from typing import Any

from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist


def cursor_row_key(table: DataTable[Any]) -> str | None:
    """The cursor row's key (rows are added with ``key=``), or None when there is none."""
    if table.row_count == 0:
        return None
    try:
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
    except CellDoesNotExist:
        return None
    return str(key.value) if key.value is not None else None
