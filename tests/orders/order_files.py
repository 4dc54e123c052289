"""Order files for the order tests: scripts/make_orders.py as a module, and the fixture folders.

``BAD`` holds small hand-made broken files (written once by tests/data/orders/make_bad_files.py),
``SHAPES`` Wish API payloads in real shapes with made-up values.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pandas as pd

from playbook.config import REPO_ROOT

BAD = Path(__file__).resolve().parents[1] / "data" / "orders" / "bad"
SHAPES = Path(__file__).resolve().parents[1] / "data" / "orders" / "shapes"


def _load_generator():
    spec = importlib.util.spec_from_file_location(
        "make_orders", REPO_ROOT / "scripts" / "make_orders.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_orders"] = module
    spec.loader.exec_module(module)
    return module


gen = _load_generator()


def write_orders(kind: str, truth: pd.DataFrame, tmp: Path) -> Path:
    """``truth`` written as ``kind``: csv-ENCODING, xlsx, v2 or v3 (JSON API payloads)."""
    if kind.startswith("csv-"):
        enc = kind.removeprefix("csv-")
        path = tmp / f"orders-{enc}.csv"
        gen.write_csv(truth, path, encoding=enc)
    elif kind == "xlsx":
        path = tmp / "orders.xlsx"
        gen.write_xlsx(truth, path)
    elif kind == "v2":
        path = tmp / "orders-v2.json"
        gen.write_json(gen.to_v2(truth), path)
    else:
        path = tmp / "orders-v3.json"
        gen.write_json(gen.to_v3(truth), path)
    return path
