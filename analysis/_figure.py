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
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        FigureCanvasAgg(self)

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()  # rendered in memory: nothing is written to a file
        self.canvas.print_figure(buffer, format="png", dpi=PNG_DPI)
        return buffer.getvalue()
