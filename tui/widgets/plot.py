"""A plotext plot that rebuilds only when its data, size or theme changed.

Why: ``PlotextPlot.render`` rebuilds the whole figure on every repaint, and a busy feed
causes many repaints (each new row can re-layout the screen). Building a figure costs far
more than a frame; the cached text costs nothing.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import RenderResult
from textual_plotext import PlotextPlot


class CachedPlot(PlotextPlot):
    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self._version = 0
        self._cache_key: tuple[object, ...] | None = None
        self._cached: Text | None = None

    def changed(self) -> None:
        """Call after changing the figure's data; the next repaint rebuilds it."""
        self._version += 1
        self.refresh()

    def render(self) -> RenderResult:
        key = (self._version, self.size.width, self.size.height, self.app.theme)
        if self._cached is None or key != self._cache_key:
            rendered = super().render()
            self._cached = rendered if isinstance(rendered, Text) else Text(str(rendered))
            self._cache_key = key
        return self._cached
