"""A math keypad under a text box: fractions, powers, roots, ±, ≤, ≥ and π by touch or keyboard.

The keys are plain buttons (focusable, labelled for screen readers); ``static/keypad.js`` inserts a
key's text at the cursor of the box and tells Gradio the value changed. What a key types is ordinary
input the parser reads, so a learner can always type the same thing by hand.
"""

from __future__ import annotations

from html import escape

import gradio as gr

# (shown on the key, text it inserts with "|" where the cursor goes, what a screen reader says)
KEYS = (
    ("a⁄b", "(|)/()", "fraction"),
    ("x²", "^2|", "squared"),
    ("xⁿ", "^(|)", "power"),
    ("√", "√(|)", "square root"),
    ("±", "±|", "plus or minus"),
    ("≤", " ≤ |", "less than or equal to"),
    ("≥", " ≥ |", "greater than or equal to"),
    ("≠", " ≠ |", "not equal to"),
    ("π", "π|", "pi"),
    ("( )", "(|)", "brackets"),
    ("=", " = |", "equals"),
)


def keypad(target_id: str) -> gr.HTML:
    """The keypad for the text box whose ``elem_id`` is ``target_id``."""
    keys = "".join(
        f"<button type='button' class='ft-key' data-insert='{escape(insert, quote=True)}' "
        f"aria-label='{escape(f'{shown} ({name})', quote=True)}' title='{escape(name, quote=True)}'>"
        f"{escape(shown)}</button>"
        for shown, insert, name in KEYS
    )
    return gr.HTML(
        f"<div class='ft-keypad' role='group' aria-label='Math keys' data-target='{escape(target_id)}'>"
        f"{keys}</div>",
        elem_id=f"{target_id}-keypad",
    )
