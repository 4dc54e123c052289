"""Evidence-file limits as data (data/evidence_limits.yaml): what each platform accepts.

A ``Profile`` is one platform's budget for an appeal (file types, MB per file and in total,
pages, files) with its source; the top level holds our own safety limits (pixels per image,
files per case). Loaded into the ``Library`` by ``playbook.library.read``.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, model_validator

from playbook.library.model import Model, PolicyKey, Text

# What ``playbook.cases.evidence.sniff`` can tell from a file's first bytes.
FileKind = Literal["jpeg", "png", "gif", "webp", "pdf"]
IMAGE_KINDS = ("jpeg", "png", "gif", "webp")
MB = 1024 * 1024


class Profile(Model):
    """One platform's limits for the evidence of one appeal; None = no limit known."""

    title: Text
    types: list[FileKind] = Field(min_length=1)
    max_file_mb: float | None = Field(default=None, gt=0)
    max_total_mb: float | None = Field(default=None, gt=0)
    max_pages: int | None = Field(default=None, gt=0)
    max_files: int | None = Field(default=None, gt=0)
    source: str | None = None
    source_title: str | None = None
    source_date: dt.date | None = None
    confidence: Literal["high", "medium", "low", "unverified"]
    note: str | None = None

    @model_validator(mode="after")
    def _sourced(self) -> Profile:
        if self.source is None and self.confidence != "unverified":
            raise ValueError("a profile without a source must say confidence: unverified")
        return self

    @property
    def max_file_bytes(self) -> int | None:
        """The per-file limit in bytes."""
        return None if self.max_file_mb is None else int(self.max_file_mb * MB)

    @property
    def max_total_bytes(self) -> int | None:
        """The limit for all files together, in bytes."""
        return None if self.max_total_mb is None else int(self.max_total_mb * MB)


class EvidenceLimits(Model):
    """data/evidence_limits.yaml."""

    checked_on: dt.date
    max_image_pixels: int = Field(gt=0)
    max_files_per_case: int = Field(gt=0)
    image_long_side: int = Field(ge=200, le=6000)
    profiles: dict[PolicyKey, Profile] = Field(min_length=1)

    def profile(self, name: str) -> Profile:
        """The profile ``name`` (a platform id); KeyError if there is none."""
        return self.profiles[name]
