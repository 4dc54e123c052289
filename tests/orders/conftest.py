"""Fixtures of the order tests: generated orders whose every value is known."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.orders.order_files import gen


@pytest.fixture(scope="module")
def truth() -> pd.DataFrame:
    """60 generated orders, a few with Chinese text so the encodings matter."""
    t = gen.build(60, seed=7)
    t.loc[::7, "product_name"] = "棉质T恤 €"
    t.loc[::5, "buyer_name"] = "王小明"
    return t
