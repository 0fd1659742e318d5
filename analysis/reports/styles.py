"""The style sheets of the generated pages: the reports' additions to JupyterLab's, and print.

Every page carries its CSS inline (nothing is loaded from elsewhere). :data:`PRINT_CSS` is shared
by the reports and the index: on paper (or a PDF) the text is black on white, links are
underlined and followed by their address (a reader of the printout can still find a source),
headings stay with what follows them, and figures, table rows and code blocks are not split
across pages.
"""

from __future__ import annotations

__all__ = ["PRINT_CSS", "REPORT_CSS"]

PRINT_CSS = """
@media print {
  @page { margin: 15mm 12mm; }
  html, body { background: #fff !important; color: #000 !important; }
  body { font-size: 10.5pt; max-width: none !important; margin: 0 !important;
    padding: 0 !important; }
  main { max-width: none !important; margin: 0 !important; padding: 0 !important; }
  a { color: #000 !important; text-decoration: underline; }
  a[href^="http"]::after, a[href^="mailto:"]::after { content: " <" attr(href) ">";
    font-size: 85%; overflow-wrap: anywhere; }
  h1, h2, h3, h4, h5, h6, caption { break-after: avoid; page-break-after: avoid; }
  img, figure, tr, pre, blockquote { break-inside: avoid; page-break-inside: avoid; }
  img { max-width: 100% !important; height: auto !important; }
  thead { display: table-header-group; }
  table { font-size: 9pt; }
  /* a wide table wraps inside the page rather than being cut off at its edge */
  main table { width: 100% !important; }
  td, th { overflow-wrap: anywhere; }
  pre { white-space: pre-wrap !important; overflow-wrap: anywhere; }
}
"""

#: Added to JupyterLab's style sheet in every report page (see :mod:`analysis.reports.runner`).
REPORT_CSS = (
    """
main { max-width: 1100px; margin: 0 auto; }
.jp-OutputArea-output table { border-collapse: collapse; font-size: 13px; }
.jp-OutputArea-output th, .jp-OutputArea-output td { padding: 2px 8px; }
.jp-RenderedImage img { max-width: 100%; height: auto; }
/* links are told from the text around them by more than their colour */
.jp-RenderedHTMLCommon a:link, .jp-RenderedHTMLCommon a:visited, .report-provenance a {
  text-decoration: underline; }
@media print {
  .jp-Notebook, .jp-Cell, .jp-OutputArea-output { padding: 0 !important; overflow: visible !important; }
  .jp-OutputArea-output table { font-size: 9pt; }
  .report-provenance { break-before: page; page-break-before: always; margin: 0;
    border-top: none; }
}
"""
    + PRINT_CSS
)
