"""htmx helpers: tell a fragment request from a page request, render one block, send events."""
import json

from flask import current_app, render_template, request
from flask.typing import ResponseReturnValue


def is_partial() -> bool:
    """True when htmx asks for a fragment (not a boosted link nor a history restore, which need the page)."""
    headers = request.headers
    return (
        headers.get("HX-Request") == "true"
        and headers.get("HX-Boosted") != "true"
        and headers.get("HX-History-Restore-Request") != "true"
    )


def render_block(template_name: str, block: str, **context) -> str:
    """Render one named block of a template with the same context a full render would get."""
    app = current_app._get_current_object()
    template = app.jinja_env.get_template(template_name)
    app.update_template_context(context)
    block_render = template.blocks[block]
    return "".join(block_render(template.new_context(context)))


def render(template_name: str, block: str | None = None, **context) -> str:
    """The whole page for a plain request, only `block` for an htmx one."""
    if block and is_partial():
        return render_block(template_name, block, **context)
    return render_template(template_name, **context)


def trigger(response: ResponseReturnValue, event: str, detail=None):
    """Add an HX-Trigger event (kebab-case, past tense) to a response, as ASCII JSON."""
    current = json.loads(response.headers.get("HX-Trigger", "{}"))
    current[event] = detail if detail is not None else True
    response.headers["HX-Trigger"] = json.dumps(current, ensure_ascii=True)
    return response


def toast(response, message: str, level: str = "success", undo: str | None = None):
    """Ask the page to show a toast once the response is swapped, with an "Annuler" button posting to `undo`."""
    detail = {"message": message, "level": level}
    if undo:
        detail["undo"] = undo
    return trigger(response, "toast-shown", detail)


# Swap 4xx answers too: 422 re-renders a form, 409 shows a conflict, the others come back as toasts.
HTMX_CONFIG = {
    "includeIndicatorStyles": False,  # htmx would inject a <style> the content security policy forbids
    "historyCacheSize": 0,  # authenticated pages are never kept in localStorage
    "refreshOnHistoryMiss": True,
    "allowEval": False,
    "allowScriptTags": False,
    "selfRequestsOnly": True,
    "defaultSwapStyle": "innerHTML",
    "responseHandling": [
        {"code": "204", "swap": False},
        {"code": "[23]..", "swap": True},
        {"code": "(409|422)", "swap": True},
        {"code": "[45]..", "swap": True, "error": True},
    ],
}
