"""Small HTML builders for HTML widgets. Every text from data or staff input is escaped here."""

from __future__ import annotations

import base64
import html
from collections.abc import Iterable, Sequence

# Shipped with the page (no CDN): plain CSS, no icon fonts.
STYLE = """
<style>
.pb-app { max-width: 960px; width: 100%; box-sizing: border-box; font-size: 15px;
  line-height: 1.5; }
.pb-app h2 { margin: 4px 0; font-size: 22px; }
.pb-app h3 { margin: 10px 0 4px; font-size: 17px; }
.pb-muted { color: #555; }
.pb-error { background: #fdecea; border-left: 4px solid #b3261e; padding: 6px 10px; }
.pb-field-error { color: #b3261e; font-size: 13px; min-height: 0; }
.pb-guidance { background: #eef4fb; border-left: 4px solid #2f6db5; padding: 6px 10px; }
.pb-deadline { padding: 4px 8px; margin: 2px 0; border-radius: 4px; background: #eef7ee; }
.pb-deadline.soon { background: #fff4ce; border-left: 4px solid #b58100; }
.pb-deadline.past { background: #fdecea; border-left: 4px solid #b3261e; font-weight: 600; }
.pb-draft textarea { width: 100%; box-sizing: border-box; min-height: 180px;
  font-family: monospace; font-size: 13px; }
/* Labels are never cut: buttons grow to their text and wrap inside the column, rows wrap. */
.pb-app .widget-button { width: auto; min-width: 120px; max-width: 100%; height: auto;
  min-height: var(--jp-widgets-inline-height, 28px); white-space: normal; overflow: visible;
  text-overflow: clip; line-height: 1.3; padding-top: 4px; padding-bottom: 4px; }
.pb-app .widget-hbox { flex-wrap: wrap; max-width: 100%; }
.pb-app .widget-checkbox { height: auto; width: auto; max-width: 100%; }
.pb-app .widget-checkbox .widget-label-basic { white-space: normal; overflow: visible;
  height: auto; line-height: 1.4; }
.pb-outcome { background: #eef7ee; border-left: 4px solid #2e7d32; padding: 6px 10px; }
.pb-review ol { margin: 0; padding-left: 20px; }
.pb-options, .pb-scenario { width: 100%; }
.pb-options .widget-radio-box label, .pb-scenario .widget-radio-box label {
  white-space: normal; height: auto; line-height: 1.4; margin: 3px 0; }
.pb-options .widget-label, .pb-scenario .widget-label { font-weight: 600; }
/* Any screen (390 px phones, 768 px tablets): nothing wider than the column; rows wrap;
   tables and maps scroll or scale inside their own box, never the page. */
.pb-app * { box-sizing: border-box; }
.pb-app .jupyter-widgets, .pb-app .widget-inline-hbox, .pb-app input, .pb-app textarea,
.pb-app select, .pb-app img, .pb-app svg { max-width: 100%; }
.pb-app .widget-hbox, .pb-app .widget-box { min-width: 0; }
.pb-app .widget-html-content { white-space: normal; overflow-wrap: anywhere; min-width: 0;
  max-width: 100%; flex: 1 1 auto; }
.pb-app svg { height: auto; }
.pb-app table { display: block; max-width: 100%; overflow-x: auto; }
.pb-app table th, .pb-app table td { overflow-wrap: normal; word-break: normal; }
.pb-app table th { white-space: nowrap; }
.pb-app .widget-toggle-buttons { flex-wrap: wrap; height: auto; }
.pb-app .widget-toggle-buttons .widget-toggle-button { width: auto; min-width: 88px;
  max-width: 100%; white-space: normal; height: auto; }
.pb-app .widget-inline-hbox { flex-wrap: wrap; height: auto; }
.pb-app .widget-inline-hbox > .widget-label { white-space: normal; max-width: 100%;
  overflow: visible; text-overflow: clip; }
.pb-app .pb-map { max-width: 100%; }
@media (max-width: 600px) {
  .pb-app { font-size: 16px; }
  .pb-app .widget-button { min-width: 0; }
  .pb-app .widget-text, .pb-app .widget-textarea { width: 100% !important; }
}
/* Keyboard: where focus is, always visible (ipywidgets turns text boxes' outlines off with
   !important: these selectors are more specific). */
.pb-app :focus-visible, .pb-app .jupyter-widgets input:focus-visible,
.pb-app .jupyter-widgets textarea:focus-visible, .pb-app .jupyter-widgets select:focus-visible {
  outline: 3px solid #1a56a8 !important; outline-offset: 1px !important; }
/* JupyterLab's tab labels are too pale on white for small text (WCAG AA contrast). */
.pb-app .lm-TabBar-tab { color: #1f1f1f; }
.pb-app .lm-TabBar-tab:not(.lm-mod-current) .lm-TabBar-tabLabel { color: #3a3a3a; }
.pb-done { background: #eef7ee; border-left: 4px solid #2e7d32; padding: 6px 10px; }
.pb-kept { background: #fff4ce; border-left: 4px solid #b58100; padding: 6px 10px; }
/* A long choice wraps beside its radio button, not under it. */
.pb-app .widget-radio-box label { display: flex; align-items: flex-start; gap: 6px;
  white-space: normal; height: auto; }
.pb-app .widget-radio-box label > input { flex: none; order: -1; margin-top: 5px; }
/* The dispute picker: each group's heading above its disputes. */
.pb-scenario.widget-radio { flex-direction: column; align-items: flex-start; height: auto; }
.pb-scenario > .widget-label { width: auto; max-width: 100%; white-space: normal;
  margin: 8px 0 0; }
/* "Loading the questions" while a pick is on its way to the server (CSS alone: a radio is
   checked and the form is still hidden). */
.pb-facts-wait { display: none; }
.pb-start-view:has(.pb-scenario input:checked):has(.pb-facts[style*="display: none"])
  .pb-facts-wait { display: block; }
/* Fact inputs: the label above its input, both as wide as the column allows. */
.pb-facts .widget-inline-hbox { flex-wrap: wrap; height: auto; }
.pb-facts .widget-inline-hbox > .widget-label { flex: 0 0 100%; max-width: 100%;
  font-weight: 600; white-space: normal; margin-top: 8px; text-align: left; }
.pb-facts .widget-text, .pb-facts .widget-textarea, .pb-facts .widget-dropdown,
.pb-facts .widget-combobox { min-width: 0; }
.pb-facts .pb-fact-row > .widget-text { flex: 1 1 240px; }
.pb-facts .pb-picker > .widget-label { width: auto; margin-top: 0; font-weight: normal; }
</style>
"""


def esc(value: object) -> str:
    """Escape any value for HTML text and attributes."""
    return html.escape(str(value), quote=True)


def tag(name: str, content: str, cls: str = "") -> str:
    """``<name class=cls>content</name>``; ``content`` must already be safe HTML."""
    attr = f' class="{esc(cls)}"' if cls else ""
    return f"<{name}{attr}>{content}</{name}>"


def bullets(items: Iterable[str]) -> str:
    """An escaped bullet list (empty string for no items)."""
    lis = "".join(tag("li", esc(i)) for i in items)
    return tag("ul", lis) if lis else ""


class Safe(str):
    """Table cell content that is already safe HTML (built from escaped parts)."""


def html_table(headers: Sequence[object], rows: Iterable[Sequence[object]], cls: str = "") -> str:
    """A table of text: every header and cell is escaped, except ``Safe`` cells."""
    head = "".join(tag("th", esc(h)) for h in headers)
    body = "".join(
        tag("tr", "".join(tag("td", c if isinstance(c, Safe) else esc(c)) for c in row))
        for row in rows
    )
    return tag("table", tag("thead", tag("tr", head)) + tag("tbody", body), cls)


def download_link(
    payload: str | bytes, filename: str, mime: str, label: str, cls: str = ""
) -> str:
    """A download link that carries the file itself (no file server; works offline).

    Text is sent as UTF-8 and says so (``;charset=utf-8``); bytes are sent as they are.
    """
    if isinstance(payload, str):
        payload, mime = payload.encode("utf-8"), f"{mime};charset=utf-8"
    data = base64.b64encode(payload).decode("ascii")
    attr = f' class="{esc(cls)}"' if cls else ""
    return (
        f'<a{attr} download="{esc(filename)}" href="data:{esc(mime)};base64,{data}">'
        f"{esc(label)}</a>"
    )
