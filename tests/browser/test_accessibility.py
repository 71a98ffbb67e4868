"""axe-core (from npm, see package.json here) over every page: no serious or critical violations.

axe is the accessibility engine browsers' own audits use; it checks contrast (WCAG AA), names of
controls, landmarks, ARIA use and more, on the page as a person sees it (each tab opened in turn).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")


def violations(page) -> list[str]:
    """What axe finds on the page now, serious or worse, one line each with the elements it names."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci --prefix tests/browser` (scripts/test.sh does)")
    page.evaluate(AXE.read_text())
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(f"{' '.join(n['target'])} {n['html'][:160]} {n.get('failureSummary', '')[:200]}"
                    for n in v["nodes"][:5])
        for v in result["violations"]
        if v["impact"] in BLOCKING
    ]  # fmt: skip


def check(page, where: str, found: list[str]) -> None:
    if "/login" not in page.url and "/api/" not in page.url:
        expect(page.locator(".ft-header")).to_be_visible()  # the Gradio app has loaded
    page.wait_for_timeout(300)
    expect(page.locator(".pending")).to_have_count(0)  # no output half-faded while it updates
    lines = violations(page)
    for _ in range(3):  # an update that started just now fades its outputs for a moment: look again
        if not lines:
            break
        page.wait_for_timeout(1000)
        expect(page.locator(".pending")).to_have_count(0)
        lines = violations(page)
    found += [f"{where}: {line}" for line in lines]


def test_the_login_page(new_page) -> None:
    page = new_page()
    page.goto("/login")
    found: list[str] = []
    check(page, "login", found)
    assert not found, "\n".join(found)


@pytest.mark.parametrize("width", [1280, 390])
def test_the_student_page(new_page, sign_in, width: int) -> None:
    page = new_page(width=width)
    sign_in(page, "ada")
    expect(page).to_have_url(re.compile(r"/student/$"))
    found: list[str] = []
    check(page, "student practice", found)
    page.get_by_role("button", name="Next problem").click()
    expect(page.locator("#problem")).to_contain_text("level")
    check(page, "student problem", found)
    page.get_by_role("tab", name="Progress").click()
    check(page, "student progress", found)
    assert not found, "\n".join(found)


def test_the_teacher_page(new_page, sign_in) -> None:
    page = new_page()
    sign_in(page, "grace")
    expect(page).to_have_url(re.compile(r"/teacher/$"))
    found: list[str] = []
    check(page, "teacher", found)
    for tab in page.get_by_role("tab").all():
        tab.click()
        check(page, f"teacher tab {tab.inner_text().strip()}", found)
    assert not found, "\n".join(found)


def test_the_admin_page(new_page, sign_in) -> None:
    page = new_page()
    sign_in(page, "root")
    expect(page).to_have_url(re.compile(r"/admin/$"))
    found: list[str] = []
    check(page, "admin", found)
    for tab in page.get_by_role("tab").all():
        tab.click()
        check(page, f"admin tab {tab.inner_text().strip()}", found)
    assert not found, "\n".join(found)
