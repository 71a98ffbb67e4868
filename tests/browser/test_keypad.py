"""The math keypad under the step box, by mouse and by keyboard, on a desktop and on a phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect


@pytest.mark.parametrize("width", [1280, 390])
def test_keys_type_math_into_the_step_box(server, new_page, sign_in, screenshot, width: int) -> None:
    page = new_page(width=width, height=900)
    sign_in(page, "ada")
    expect(page).to_have_url(re.compile(r"/student/$"))
    box = page.locator("#step-box textarea")
    box.fill("x")
    page.get_by_role("button", name="squared").click()
    page.get_by_role("button", name="equals").click()
    page.get_by_role("button", name="square root").click()
    box.press_sequentially("9")
    expect(box).to_have_value("x^2 = √(9)")
    expect(page.locator("#preview")).to_contain_text("=")  # Gradio saw the keys: the preview followed
    page.get_by_role("button", name="plus or minus").focus()  # by keyboard: the cursor stays in √(9|)
    page.keyboard.press("Enter")
    expect(box).to_have_value("x^2 = √(9±)")
    keys = page.locator(".ft-key")
    assert keys.count() >= 10
    for key in keys.all():  # finger-sized on a phone
        size = key.bounding_box()
        assert size["width"] >= 40 and size["height"] >= 40, size
    screenshot(page, f"keypad-{width}")
