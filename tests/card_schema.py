"""Checks a card against the vendored Adaptive Card 1.5 schema, Teams' typeahead aside, and 28 KB.

The one extension allowed is the one Teams documents for a dynamic (typeahead) choice set:
`choices.data` of type `Data.Query` on an `Input.ChoiceSet`, which the 1.5 schema does not
know. Everything else must be in the schema, and a top-level card must say version 1.5.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft6Validator
from jsonschema.exceptions import best_match

SCHEMA = Path(__file__).parent / "schemas" / "adaptive-card-1.5.json"
CARD_TYPE = "application/vnd.microsoft.card.adaptive"
VERSION = "1.5"
MAX_CARD_BYTES = 28_000  # Teams' limit for a card, as handlers.teams.cards sizes it
DATA_QUERY = {
    "description": "Teams' typeahead extension: where a dynamic choice set finds its choices.",
    "type": "object",
    "properties": {
        "type": {"enum": ["Data.Query"]},
        "dataset": {"type": "string"},
        "count": {"type": "number"},
        "skip": {"type": "number"},
        "value": {"type": "string"},
        "associatedInputs": {"enum": ["auto", "none"]},
    },
    "required": ["type", "dataset"],
    "additionalProperties": False,
}


@cache
def schema() -> dict[str, Any]:
    """The 1.5 schema with `choices.data` (a Data.Query) allowed on Input.ChoiceSet."""
    document: dict[str, Any] = json.loads(SCHEMA.read_text(encoding="utf-8"))
    definitions = document["definitions"]
    definitions["Data.Query"] = DATA_QUERY
    choice_set = definitions["Input.ChoiceSet"]["properties"]
    choice_set["choices.data"] = {"$ref": "#/definitions/Data.Query"}
    Draft6Validator.check_schema(document)
    return document


@cache
def validator(definition: str = "") -> Draft6Validator:
    """The card's validator, or one for a definition of the schema (e.g. an action)."""
    if not definition:
        return Draft6Validator(schema())
    ref = {"definitions": schema()["definitions"], "$ref": f"#/definitions/{definition}"}
    return Draft6Validator(ref)


def fallback_actions(node: Any) -> list[Any]:
    """Every action's fallback that is an action. The schema lets any object through there
    (its "drop" option is a string `pattern`, which an object passes), so these are
    checked as actions of their own."""
    found: list[Any] = []
    if isinstance(node, dict):
        fallback = node.get("fallback")
        if str(node.get("type", "")).startswith("Action.") and isinstance(fallback, dict):
            found.append(fallback)
        for value in node.values():
            found += fallback_actions(value)
    elif isinstance(node, list):
        for value in node:
            found += fallback_actions(value)
    return found


def problems(card: Any) -> list[str]:
    """What is wrong with a top-level card: its version, its size, its schema errors."""
    if not isinstance(card, dict):
        return [f"not a card: {card!r:.200}"]
    found = []
    if card.get("version") != VERSION:
        found.append(f"version {card.get('version')!r}, not {VERSION!r}")
    size = len(json.dumps(card).encode())
    if size > MAX_CARD_BYTES:
        found.append(f"{size} bytes, over {MAX_CARD_BYTES}")
    error = best_match(validator().iter_errors(card))
    if error is not None:
        where = "/".join(str(part) for part in error.absolute_path)
        found.append(f"at /{where}: {error.message[:300]}")
    for fallback in fallback_actions(card):
        error = best_match(validator("ImplementationsOf.Action").iter_errors(fallback))
        if error is not None:
            found.append(f"a fallback action: {error.message[:300]}")
    return found


def cards_in_activity(activity: Any) -> list[Any]:
    """The Adaptive Cards attached to an activity the bot sent."""
    attachments = activity.get("attachments") if isinstance(activity, dict) else None
    return [a.get("content") for a in attachments or [] if a.get("contentType") == CARD_TYPE]


def cards_in_invoke_response(body: Any) -> list[Any]:
    """The card an `adaptiveCard/action` invoke answered with, if it answered with one."""
    if isinstance(body, dict) and body.get("type") == CARD_TYPE:
        return [body.get("value")]
    return []


def check(cards: list[Any], where: str) -> list[str]:
    """Each problem of each card, said with where the card was seen."""
    return [f"{where}: {p}" for card in cards for p in problems(card)]
