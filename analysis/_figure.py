"""The Figure class of :mod:`analysis.plots` (imported only when a figure is drawn)."""

from __future__ import annotations

import io

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

__all__ = ["ReportFigure", "PNG_DPI"]

#: Resolution of the PNG a notebook shows (pixels per inch).
PNG_DPI = 100


class ReportFigure(Figure):
    """A matplotlib Figure drawn on an Agg canvas and not registered with pyplot.

    Being outside pyplot, it is never shown twice nor kept alive by pyplot's figure list, and a
    notebook cell that ends with it displays it once, as a PNG rendered in a single pass (the
    layout is constrained, so everything, the source line included, lies inside the figure).
    Save it with ``fig.savefig(path)``.

    ``alt`` is the figure's text alternative: one or two sentences saying what the chart shows
    (set by each function of :mod:`analysis.plots` from the data it draws). It travels with the
    PNG as the output's ``image/png`` metadata and becomes the ``alt`` attribute of the image
    in the exported HTML.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        FigureCanvasAgg(self)
        self.alt: str | None = None

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()  # rendered in memory: nothing is written to a file
        self.canvas.print_figure(buffer, format="png", dpi=PNG_DPI)
        return buffer.getvalue()

    def _repr_mimebundle_(self, include=None, exclude=None) -> tuple[dict, dict]:
        """The PNG, a plain-text stand-in (the alt text), and the alt text as metadata."""
        data: dict[str, object] = {"image/png": self._repr_png_()}
        metadata: dict[str, dict] = {}
        if self.alt:
            data["text/plain"] = self.alt
            metadata["image/png"] = {"alt": self.alt}
        return data, metadata
