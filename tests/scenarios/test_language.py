"""Language rules in both languages, the glossary, and the Chinese punctuation script."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import yaml

from playbook.config import REPO_ROOT
from playbook.library.library import Library
from tests.data_edits import edit, problems

spec = importlib.util.spec_from_file_location("zhp", REPO_ROOT / "scripts" / "zh_punctuation.py")
zhp = importlib.util.module_from_spec(spec)
spec.loader.exec_module(zhp)


def test_ascii_punctuation_in_chinese_is_reported(data_copy: Path) -> None:
    edit(data_copy / "scenarios" / "chargeback.yaml", "能做：查看", "能做:查看")
    found = problems(data_copy)
    assert any(
        "chargeback.yaml:" in p
        and "steps.2.text.zh: ASCII punctuation : in Chinese text; use full-width" in p
        for p in found
    ), found


def test_a_line_break_in_the_middle_of_a_chinese_sentence_is_reported(data_copy: Path) -> None:
    edit(
        data_copy / "templates" / "appeal-fulfilled-order.yaml",
        "我们已于上述时间以有效物流单号标记发货，",
        "我们已于上述时间以有效物流单号标记发货，\n    ",
    )
    found = problems(data_copy)
    assert any(
        "appeal-fulfilled-order.yaml:" in p and "body.zh: a line break in the middle" in p
        for p in found
    ), found


def test_english_plural_hacks_and_articles_before_numbers(data_copy: Path) -> None:
    edit(data_copy / "i18n" / "messages.yaml", "{total:case|cases};", "{total} case(s);")
    edit(
        data_copy / "scenarios" / "inventory-drop-without-orders.yaml",
        "Wish holds each new order for {policy:release_hold}",
        "Wish holds each new order in a {policy:release_hold}",
    )
    found = problems(data_copy)
    assert any('ui.case_count.en: a "(s)" plural' in p for p in found), found
    assert any('steps.0.guidance.en: "a"/"an" before a {policy:KEY} number' in p for p in found)


def test_one_term_one_translation(data_copy: Path) -> None:
    edit(data_copy / "i18n" / "store.yaml", "手册版本", "剧本版本")
    found = problems(data_copy)
    assert any(
        "caselog.version.zh: '剧本': the glossary's word for 'playbook' is '手册'" in p
        for p in found
    ), found


def test_the_glossary_says_where_each_term_is_used(lib: Library, data_copy: Path) -> None:
    assert lib.glossary["playbook"].zh == "手册"
    edit(data_copy / "glossary.yaml", "  where: [policies]\n", "  where: [scenarios]\n")
    found = problems(data_copy)
    assert any(
        "glossary.yaml" in p
        and "'deceptive fulfilment' / '欺骗性履行' is used in ['policies']" in p
        for p in found
    ), found


def test_the_script_writes_full_width_punctuation_and_keeps_the_rest() -> None:
    assert zhp.convert("订单号:{order_id},释放(UTC) 12:00;金额 10,000 美元?") == (
        "订单号：{order_id}，释放（UTC）12:00；金额 10,000 美元？"
    )
    assert zhp.convert('退款来源为"支付机构"。') == "退款来源为“支付机构”。"
    assert zhp.convert("Only English, (here): fine") == "Only English, (here): fine"
    source = (
        'a: {zh: "一致,没有扣款", en: "Same, no charge"}\n'
        "b:\n  zh: |\n    您好:\n    谢谢!\n  en: |\n    Hi:\n"
        'c:\n  zh: "见链接:https://x.example/a,b"\n'
    )
    fixed = zhp.rewrite(source)
    assert yaml.safe_load(fixed) == {
        "a": {"zh": "一致，没有扣款", "en": "Same, no charge"},
        "b": {"zh": "您好：\n谢谢！\n", "en": "Hi:\n"},
        "c": {"zh": "见链接：https://x.example/a,b"},
    }


def test_the_script_rewrites_a_value_shared_through_an_anchor_once() -> None:
    source = (
        'a:\n  - &shared\n    label: {zh: "回复买家(否则索赔会被批准)", en: "Reply (or not)"}\n'
        "    when: {fact: x, eq: y}\n"
        "b:\n  - *shared\n  - *shared\n"
    )
    fixed = zhp.rewrite(source)
    shared = {"label": {"zh": "回复买家（否则索赔会被批准）", "en": "Reply (or not)"},
              "when": {"fact": "x", "eq": "y"}}  # fmt: skip
    assert yaml.safe_load(fixed) == {"a": [shared], "b": [shared, shared]}
    assert fixed.count("（否则索赔会被批准）") == 1


def test_the_script_refuses_a_rewrite_it_cannot_read_back(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "x.yaml"
    path.write_text('a: {zh: "一致,没有扣款"}\n', encoding="utf-8")
    monkeypatch.setattr(zhp, "rewrite", lambda source: source.replace("}", ": }"))
    assert zhp.main([str(path)]) == 2
    assert path.read_text(encoding="utf-8") == 'a: {zh: "一致,没有扣款"}\n'


def test_the_data_needs_no_punctuation_fix() -> None:
    assert zhp.main(["--check", str(REPO_ROOT / "data")]) == 0
