"""Evidence files on the staff page: uploads, thumbnails and the appeal packet.

An upload per checklist item, thumbnails, and the "Build appeal packet" button with the
check's messages and download links. A view of the page's ``CaseSession``
(``session.attach`` / ``detach`` / ``build_packet``). Every callback re-checks its own
preconditions; uploaded bytes are handed to the session and the upload widget is cleared at
once, so no file stays in widget state; every name and message is escaped before it reaches
an HTML widget.
"""

from __future__ import annotations

import base64
import importlib
import logging
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import ipywidgets as w

from playbook.cases.files import Attachment
from playbook.cases.session import CaseSession, Screen
from playbook.errors import PlaybookError
from playbook.library.model import EvidenceItem
from playbook.scenarios.engine import Walk
from playbook.ui.feedback import error_html, show_errors
from playbook.ui.html import download_link, esc, tag
from playbook.ui.page import Host, Part

log = logging.getLogger("playbook.ui")
ACCEPT = "image/jpeg,image/png,image/gif,application/pdf,.jpg,.jpeg,.png,.gif,.pdf"
STYLE = """<style>
.pb-thumb { height: 72px; margin: 2px 6px 2px 0; border: 1px solid #ccc; vertical-align: middle; }
.pb-pdf-thumb { display: inline-block; width: 54px; height: 72px; border: 1px solid #999;
  text-align: center; line-height: 72px; font-size: 12px; margin-right: 6px; }
.pb-file-list { margin-left: 24px; }
</style>"""


class FilesHost(Host, Protocol):
    """What the evidence files need from the walk view they sit in (``redraw``: the page)."""

    shown_step: str | None
    session: CaseSession
    walk: Walk | None
    redraw: Callable[[], None]


class EvidenceFiles(Part):
    """The file widgets of the staff page's walk view."""

    page: FilesHost

    def __init__(self, page: FilesHost) -> None:
        """Set up the files part of ``page``'s evidence checklist.

        Args:
            page: the walk view (case session, step on screen, language, message area).
        """
        super().__init__(page)
        self._thumbs: dict[str, bytes | None] = {}  # by content hash: files never change
        self._packet: tuple[str | None, str, str] = (None, "", "")  # case, messages, links
        self.packet_messages = self.packet_links = w.HTML()  # set at each render

    @property
    def session(self) -> CaseSession:
        """The page's case session."""
        return self.page.session

    # --- rendering ---------------------------------------------------------------------------

    def rows(self, screen: Screen, boxes: list[w.Widget]) -> list[w.Widget]:
        """The evidence rows: each item's checkbox followed by its files and an upload.

        ``boxes`` are the items' checkboxes, in step order; on a step with an appeal statement
        the packet box comes last.
        """
        files = self.session.files() if self.session.active else []
        out: list[w.Widget] = []
        for box, item in zip(boxes, screen.step.evidence, strict=True):
            mine = [f for f in files if f.item_id == item.id]
            out += [box, self._item_row(screen.step.id, item, mine)]
        return out + self._packet_rows(screen) + ([w.HTML(STYLE)] if boxes else [])

    def _item_row(self, step_id: str, item: EvidenceItem, files: list[Attachment]) -> w.Widget:
        upload = w.FileUpload(accept=ACCEPT, multiple=True, description=self.t("ui.files_attach"))
        upload.add_class(f"pb-upload-{item.id}")
        upload.observe(self._upload_callback(step_id, item.id, upload), names="value")
        shown = w.HTML(self._files_html(files))
        shown.add_class(f"pb-files-{item.id}")
        removes = []
        for f in files:
            button = w.Button(description=f"{self.t('ui.files_remove')} {f.name}"[:60])
            button.add_class(f"pb-remove-{f.seq}")
            button.on_click(self._remove_callback(step_id, f.seq))
            removes.append(button)
        row = w.VBox([shown, w.HBox([upload, *removes])])
        row.add_class("pb-file-list")
        return row

    def _files_html(self, files: list[Attachment]) -> str:
        parts = []
        for f in files:
            thumb = self._thumb(f)
            if thumb:
                src = "data:image/jpeg;base64," + base64.b64encode(thumb).decode("ascii")
                pic = f'<img class="pb-thumb" src="{src}" alt="{esc(f.name)}">'
            else:
                pic = f'<span class="pb-pdf-thumb">PDF {esc(f.pages or "")}</span>'
            size = f"{f.size / 1024:.0f} KB"
            parts.append(tag("div", f"{pic}{esc(f.name)} ({esc(f.kind)}, {esc(size)})", "pb-file"))
        return "".join(parts)

    def _thumb(self, f: Attachment) -> bytes | None:
        if f.sha256 not in self._thumbs:
            self._thumbs[f.sha256] = self.session.store.blob(f.sha256).thumb
        return self._thumbs[f.sha256]

    def _packet_rows(self, screen: Screen) -> list[w.Widget]:
        """The packet box, new at each render (the page closes what it replaces).

        It keeps the last check's messages and links while the same case is open.
        """
        case = self.session.case
        if case is None or self._packet[0] != case.id:
            self._packet = (case.id if case else None, "", "")
        if not self._has_appeal(screen):
            return []
        button = w.Button(description=self.t("ui.packet_build"), button_style="info")
        button.add_class("pb-packet")
        button.on_click(self._on_packet_click)
        self.packet_messages = w.HTML(self._packet[1])
        self.packet_messages.add_class("pb-packet-messages")
        self.packet_links = w.HTML(self._packet[2])
        self.packet_links.add_class("pb-packet-links")
        title = w.HTML(tag("h3", esc(self.t("ui.packet_title"))))
        box = w.VBox([title, button, self.packet_messages, self.packet_links])
        box.add_class("pb-packet-box")
        return [box]

    def _has_appeal(self, screen: Screen) -> bool:
        return any(d.template.kind == "appeal_statement" for d in screen.drafts)

    # --- callbacks ---------------------------------------------------------------------------

    def _upload_callback(self, step_id: str, item_id: str, upload: w.FileUpload) -> Callable:
        @show_errors
        def on_upload(self: EvidenceFiles, change: dict) -> None:
            uploaded = change["new"]
            if not uploaded:
                return  # our own clearing below
            try:
                if not self._item_open(step_id, item_id):
                    return
                notes = [self._attach(item_id, f) for f in uploaded]
            finally:
                upload.value = ()  # the bytes never stay in widget state
            self.page.redraw()
            self.message.value = "".join(notes)

        return lambda change: on_upload(self, change)

    def _attach(self, item_id: str, upload: Any) -> str:
        name = str(upload.get("name", ""))[:255]
        try:
            att = self.session.attach(item_id, name, bytes(upload.get("content", b"")))
        except PlaybookError as err:
            reason = err.render(self.lang)
            return error_html(self.t("ui.file_refused", name=name, reason=reason))
        return tag("div", esc(self.t("ui.file_attached", name=att.name)), "pb-file-ok")

    def _remove_callback(self, step_id: str, seq: int) -> Callable:
        @show_errors
        def on_click(self: EvidenceFiles) -> None:
            if not self.session.active or self.page.shown_step != step_id:
                return
            if seq not in {f.seq for f in self.session.files()}:
                return
            self.session.detach(seq)
            self.page.redraw()

        return lambda _button: on_click(self)

    def _item_open(self, step_id: str, item_id: str) -> bool:
        """A case is open at ``step_id`` and the item is one of its checklist's."""
        walk = self.page.walk
        if not self.session.active or self.page.shown_step != step_id:
            return False
        return walk.current.id == step_id and item_id in {e.id for e in walk.current.evidence}

    @show_errors
    def _on_packet_click(self, _button: w.Button) -> None:
        screen = self.session.screen() if self.session.active else None
        if screen is None or not self._has_appeal(screen):
            return
        # Imported on first use: fpdf2 and pypdf stay off the staff page until needed.
        packet = importlib.import_module("playbook.cases.packet")
        self.packet_links.value = ""
        check = packet.check_packet(self.session)
        self.packet_messages.value = "".join(
            error_html(m) if level == "error" else tag("div", esc(m), "pb-deadline soon")
            for level, m in check.messages(self.lang)
        )
        self._packet = (self.session.case.id, self.packet_messages.value, "")
        if not check.ok:
            return
        with tempfile.TemporaryDirectory(prefix="packet-") as folder:
            built = packet.build_packet(self.session, Path(folder))
            pdf, zip_ = built.pdf.read_bytes(), built.zip.read_bytes()
        self.packet_links.value = (
            tag("div", esc(self.t("ui.packet_built", pages=built.pages)), "pb-packet-ok")
            + download_link(pdf, built.pdf.name, "application/pdf", self.t("ui.packet_pdf"))
            + " · "
            + download_link(zip_, built.zip.name, "application/zip", self.t("ui.packet_zip"))
        )
        self._packet = (self.session.case.id, self.packet_messages.value, self.packet_links.value)
