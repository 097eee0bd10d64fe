"""Job docstrings render as Markdown: inline code, lists and code blocks, not raw reST."""

from __future__ import annotations

from textual.widgets import Markdown
from tui_helpers import open_job

from tui.widgets.job_detail import docstring_markdown

DOC = """Dedups rows on ``content_hash``; see :func:`dwh.services.loaders.load`.

- one row per hash
- the newest wins

Example::

    dwh run dedup --config c.json
"""


def test_rest_literals_and_roles_become_inline_code() -> None:
    text = docstring_markdown(DOC)
    assert "`content_hash`" in text and "``" not in text
    assert "see `dwh.services.loaders.load`." in text
    assert "Example:\n\n    dwh run dedup" in text
    assert "- one row per hash\n- the newest wins" in text


def test_no_docstring_says_so() -> None:
    assert docstring_markdown("  ") == "*(no docstring)*"


async def test_the_job_detail_shows_the_docstring_as_markdown(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_job(pilot, "sample")
        doc = app.screen.query_one("#job-doc", Markdown)
        assert doc.source.startswith("Copies a sample of rows")
        assert doc.query("MarkdownParagraph")
