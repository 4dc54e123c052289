"""Small HTML builders for HTML widgets. Every text from data or staff input is escaped here."""

from __future__ import annotations

import base64
import html
from collections.abc import Iterable

# Shipped with the page (no CDN): plain CSS, no icon fonts.
STYLE = """
<style>
.pb-app { max-width: 960px; font-size: 15px; line-height: 1.5; }
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


def data_link(content: str, filename: str, mime: str, label: str) -> str:
    """A download link that carries ``content`` itself (works offline, no file server)."""
    payload = base64.b64encode(content.encode("utf-8")).decode("ascii")
    return (
        f'<a download="{esc(filename)}" href="data:{esc(mime)};charset=utf-8;base64,'
        f'{payload}">{esc(label)}</a>'
    )
