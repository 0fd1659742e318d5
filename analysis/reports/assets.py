"""What a report page carries besides its notebook's outputs: the display-table styles and,
where a page has long tables, the script that makes them searchable and sortable offline.

Notebook outputs are sanitised (:func:`analysis.reports.runner.clean_output_html`: no
``<style>``, no ``<script>``, no ``style`` attributes), so the styles of
:func:`analysis.tables.display_table` and of the warning banner live here, and the
interactive tables are progressively enhanced: each is rendered as an ordinary, complete
static table (readable without JavaScript and in print), and a script added by the
project, not by the notebook, turns every ``table.reader-table.interactive`` into a DataTables
table. The script is the DataTables bundle that the ``itables`` package ships, embedded in
the page, so nothing is fetched from a network.
"""

from __future__ import annotations

import base64
import functools
from importlib import resources

__all__ = ["READER_CSS", "add_page_assets", "table_script"]

#: Styles of the display tables, the CSV links and the warning banner.
READER_CSS = """
.jp-RenderedHTMLCommon table.reader-table { border-collapse: collapse; margin: 0.5em 0; font-size: 13px; }
.jp-RenderedHTMLCommon table.reader-table th { text-align: left; border-bottom: 2px solid #444; padding: 4px 10px;
  vertical-align: bottom; background: none; }
.jp-RenderedHTMLCommon table.reader-table td { text-align: left; border-bottom: 1px solid #ddd; padding: 4px 10px;
  vertical-align: top; max-width: 40em; }
.jp-RenderedHTMLCommon table.reader-table th.num { text-align: right; }
.jp-RenderedHTMLCommon table.reader-table td.num { text-align: right;
  font-variant-numeric: tabular-nums; white-space: nowrap; }
.jp-RenderedHTMLCommon table.reader-table caption { caption-side: top; text-align: left; font-weight: 600;
  padding-bottom: 4px; }
a.csv-link { font-size: 12px; }
div.input-warnings { border: 2px solid #b42318; background: #fff4f2; padding: 8px 12px;
  margin: 8px 0; border-radius: 4px; }
@media print { a.csv-link { display: none; } }
"""

_ENHANCE = """
<script type="module">
const source = atob("{bundle}");
const url = URL.createObjectURL(new Blob([source], {{ type: "application/javascript" }}));
const module = await import(url);
URL.revokeObjectURL(url);
const DataTable = module.default;
document.querySelectorAll("table.reader-table.interactive").forEach((table) => {{
  new DataTable(table, {{ pageLength: 15, lengthMenu: [15, 50, 100, -1], order: [],
                          autoWidth: false }});
}});
</script>
"""


@functools.lru_cache(maxsize=1)
def _datatables() -> tuple[str, str]:
    """The DataTables bundle shipped by ``itables``: (CSS, base64 of the JavaScript module)."""
    folder = resources.files("itables") / "html"
    css = (folder / "dt_bundle.css").read_text(encoding="utf-8")
    js = (folder / "dt_bundle.js").read_bytes()
    return css, base64.b64encode(js).decode("ascii")


@functools.lru_cache(maxsize=1)
def table_script() -> str:
    """The script that enhances interactive tables: the same text on every page, built from
    the DataTables bundle alone (no data from the report goes into it)."""
    _, bundle = _datatables()
    return _ENHANCE.format(bundle=bundle)


def add_page_assets(page: str) -> str:
    """Insert the reader styles into ``page``'s head and, when it holds interactive tables,
    the table script before ``</body>``."""
    head = f'<style type="text/css">{READER_CSS}</style>'
    if "reader-table interactive" in page:
        css, _ = _datatables()
        head += f'<style type="text/css">{css}</style>'
        script = table_script()
        index = page.rfind("</body>")
        page = page[:index] + script + page[index:] if index >= 0 else page + script
    index = page.find("</head>")
    return page[:index] + head + page[index:] if index >= 0 else head + page
