"""The whole product in a real headless chromium, through the sandbox at /sandbox.

The PM sets up a project and proposes a change; the sponsor and both customers approve in
their DMs and the channel's card says so; the clock jumps to the weekly check-in, which
the external customer answers (4/5, and a change on their side); the PM drafts a change
request from that notice and finds the form filled in. Only the page is used: clicks,
typing and the clock controls, waiting on what the page shows (never on fixed sleeps).
"""

from __future__ import annotations

import os
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from tests.browser.conftest import ROOT

if TYPE_CHECKING:
    from playwright.async_api import Locator, Page

WAIT = 20_000  # ms: generous, for a busy machine; every wait ends as soon as it holds
PM, CUSTOMER, EXTERNAL, SPONSOR, MEMBER = (
    "U0PM", "U0CUSTOMER", "U0EXTCUSTOMER", "U0SPONSOR", "U0MEMBER"
)  # fmt: skip
CHANNEL = "C0PROJECT"
CHANGE = "Add single sign-on"
WHAT_CHANGED = "Our security team now requires every vendor to connect through our VPN."
AFFECTS = "Deployments and access to the staging servers."
README_SHOT = ROOT / "docs" / "sandbox.png"


class Journey:
    """One browser tab on the sandbox, acting as one person at a time."""

    def __init__(self, page: Page, artifacts: Path) -> None:
        self.page = page
        self.artifacts = artifacts
        self.shots = 0

    @property
    def modal(self) -> Locator:
        return self.page.get_by_test_id("modal")

    def messages(self, containing: str) -> Locator:
        return self.page.get_by_test_id("message").filter(has_text=containing)

    def field(self, block_id: str) -> Locator:
        """A modal input by its block id (the element carries data-block-id too)."""
        return self.modal.locator(f'[data-block-id="{block_id}"][data-action-id]')

    async def shot(self, name: str) -> None:
        self.shots += 1
        path = self.artifacts / f"{self.shots:02d}-{name}.png"
        await self.page.screenshot(path=str(path), full_page=True)

    async def act_as(self, person: str, conversation: str) -> None:
        """Switch to `person` looking at `conversation` (a channel, D<user> or home)."""
        from playwright.async_api import expect

        active = re.compile(r"\bactive\b")
        await self.page.get_by_test_id(f"person-{person}").click()
        await expect(self.page.get_by_test_id(f"person-{person}")).to_have_class(
            active, timeout=WAIT
        )
        await self.page.get_by_test_id(f"conv-{conversation}").click()
        await expect(self.page.get_by_test_id(f"conv-{conversation}")).to_have_class(
            active, timeout=WAIT
        )

    async def type_command(self, text: str) -> None:
        await self.page.get_by_test_id("composer").fill(text)
        await self.page.get_by_test_id("composer-send").click()

    async def submit_modal(self) -> None:
        from playwright.async_api import expect

        await self.page.get_by_test_id("modal-submit").click()
        await expect(self.modal).to_be_hidden(timeout=WAIT)

    async def approve_in_dm(self, person: str) -> None:
        from playwright.async_api import expect

        await self.act_as(person, "D" + person)
        card = self.messages(CHANGE).last
        await expect(card).to_be_visible(timeout=WAIT)
        await card.locator('[data-action-id="cl.approve"]').click()
        # The card, updated, offers that person no decision any more.
        await expect(card.locator('[data-action-id="cl.approve"]')).to_have_count(0, timeout=WAIT)
        await expect(self.messages("CR-1").last).to_contain_text(
            re.compile("recorded|approved"), timeout=WAIT
        )


async def test_a_whole_journey_in_the_browser(
    chromium_path: str, artifacts: Path, sandbox_url: str
) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=chromium_path, args=["--no-sandbox"], headless=True
        )
        try:
            page = await browser.new_page(viewport={"width": 1280, "height": 800})
            journey = Journey(page, artifacts)
            try:
                await walk(journey, sandbox_url)
            except BaseException:
                await page.screenshot(path=str(artifacts / "failure.png"), full_page=True)
                raise
        finally:
            await browser.close()


async def walk(j: Journey, url: str) -> None:
    from playwright.async_api import expect

    page = j.page
    await page.goto(url)
    await j.act_as(PM, CHANNEL)

    # The PM sets up the project in #project-apollo, adding everyone.
    await j.type_command("/loop new")
    await expect(j.modal).to_be_visible(timeout=WAIT)
    await expect(j.modal).to_contain_text("New project")
    await j.field("name").fill("Apollo")
    await j.field("key").fill("APL")
    await j.field("customers_internal").select_option([CUSTOMER])
    await j.field("customers_external").select_option([EXTERNAL])
    await j.field("sponsor").select_option(SPONSOR)
    await j.field("members").select_option([MEMBER])
    await j.field("checkin_day").select_option("0")  # Monday
    await j.field("checkin_time").fill("09:30")
    await j.shot("new-project-form")
    await j.submit_modal()
    project = j.messages("APL · Apollo").last
    await expect(project).to_be_visible(timeout=WAIT)
    for name in ("Casey Quinn", "Erin Okafor", "Sam Lindqvist", "Mo Tanaka"):
        await expect(project).to_contain_text(name)
    await expect(project).to_contain_text("Mondays at 09:30")
    await j.shot("project-created")

    # The PM proposes a change.
    await j.type_command("/loop change")
    await expect(j.modal).to_contain_text("Change request", timeout=WAIT)
    await j.field("title").fill(CHANGE)
    await j.field("description").fill("Log in with the customer's identity provider.")
    await j.field("schedule_days").fill("5")
    await j.field("cost").fill("4500")
    await j.field("reason").fill("The customer's IT requires single sign-on.")
    await j.shot("change-form")
    await j.submit_modal()
    card = j.messages(CHANGE).last
    await expect(card).to_contain_text("Waiting on", timeout=WAIT)
    await expect(card).to_contain_text("4,500.00")
    await j.shot("change-proposed")

    # The sponsor, then the external customer (Slack Connect), then the internal customer
    # approve with the buttons in their DMs (every customer and the sponsor decide).
    await j.approve_in_dm(SPONSOR)
    await j.shot("sponsor-approved")
    await j.approve_in_dm(EXTERNAL)
    await j.shot("external-customer-approved")
    await j.approve_in_dm(CUSTOMER)

    # The channel's card is updated.
    await j.act_as(PM, CHANNEL)
    card = j.messages(CHANGE).last
    await expect(card).to_contain_text("Approved", timeout=WAIT)
    await expect(card).not_to_contain_text("Waiting on")
    await j.shot("channel-change-approved")
    if os.environ.get("CLIENTLOOP_UPDATE_SCREENSHOT") == "1":  # README's picture, on request:
        await page.screenshot(path=str(README_SHOT))  # a test run leaves the checkout as it was

    # The clock jumps to the check-in: next Monday 09:00 in Erin's time zone, then an hour.
    await j.act_as(EXTERNAL, "D" + EXTERNAL)
    clock = page.get_by_test_id("clock-now")
    before = await clock.get_attribute("data-iso")
    await page.get_by_test_id("clock-next-monday").click()
    await expect(clock).not_to_have_attribute("data-iso", before or "", timeout=WAIT)
    monday = await clock.get_attribute("data-iso")
    await page.get_by_test_id("clock-plus-hour").click()
    await expect(clock).not_to_have_attribute("data-iso", monday or "", timeout=WAIT)
    checkin = j.messages("Weekly check-in · APL").last
    await expect(checkin).to_be_visible(timeout=WAIT)
    await j.shot("checkin-received")

    # The external customer answers: 4/5, and a change on their side.
    await checkin.locator('[data-action-id="cl.answer"]').click()
    await expect(j.modal).to_contain_text("Weekly check-in", timeout=WAIT)
    now = datetime.fromisoformat(await clock.get_attribute("data-iso") or "")
    await j.field("rating").select_option("4")
    await j.field("text").fill("Good progress; the demo went well.")
    await j.field("changed").locator("input[type=checkbox]").check()
    await j.field("change_what").fill(WHAT_CHANGED)
    await j.field("change_since").fill((now - timedelta(days=3)).date().isoformat())
    await j.field("change_affects").fill(AFFECTS)
    await j.shot("checkin-answer")
    await j.submit_modal()
    await expect(checkin).to_contain_text("You rated this week 4/5", timeout=WAIT)
    await j.shot("checkin-answered")

    # The PM gets the notice in their DM and drafts a change request from it.
    await j.act_as(PM, "D" + PM)
    notice = j.messages("Change on the customer's side").last
    await expect(notice).to_contain_text(WHAT_CHANGED, timeout=WAIT)
    await expect(notice).to_contain_text("Erin Okafor")
    await j.shot("notice-received")
    await notice.get_by_role("button", name="Draft a change request from this").click()
    await expect(j.modal).to_contain_text("Change request", timeout=WAIT)
    await expect(j.field("title")).to_have_value(re.compile(re.escape(WHAT_CHANGED)))
    await expect(j.field("description")).to_have_value(WHAT_CHANGED)
    await expect(j.field("scope")).to_have_value(AFFECTS)
    await j.shot("change-drafted-from-notice")
