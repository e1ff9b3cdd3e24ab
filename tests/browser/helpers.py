"""What the browser tests do on the workspace's pages, by what a person sees (roles, names, labels)."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

NOT_RELOADED = "window.__carinhoSemRecarregar"


def conversation_list(page: Any) -> Any:
    """The inbox's list of conversations (its rows are links named after the contact)."""
    return page.get_by_role("list", name=re.compile(r"^Conversas"))


def row(page: Any, name: str) -> Any:
    return conversation_list(page).get_by_role("link", name=re.compile(re.escape(name)))


def open_conversation(page: Any, name: str) -> None:
    """Click the contact's row in the inbox and wait for the conversation to open."""
    row(page, name).click()
    expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()


def composer(page: Any) -> Any:
    return page.get_by_role("combobox", name="Mensagem")


def history(page: Any) -> Any:
    return page.get_by_role("region", name="Histórico de mensagens")


def message(page: Any, text: str) -> Any:
    return history(page).get_by_role("listitem").filter(has_text=text)


def mark_not_reloaded(page: Any) -> None:
    """Leave a mark in the page's window: it survives partial updates, not a reload."""
    page.evaluate(f"{NOT_RELOADED} = true")


def assert_not_reloaded(page: Any) -> None:
    assert page.evaluate(NOT_RELOADED) is True, "the page was reloaded"
