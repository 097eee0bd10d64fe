"""The README and docs/ link only to files a clone has, and the routing design names real code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_relative_link_resolves_inside_the_repository(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    broken = []
    for target in LINK.findall(text):
        if re.match(r"^[a-z]+:", target):
            continue  # https:, mailto:
        resolved = (page.parent / target).resolve()
        if not resolved.is_relative_to(REPO) or not resolved.exists():
            broken.append(target)
    assert broken == [], f"{page.name} links outside the clone or to nothing: {broken}"
    assert "../shared" not in text


def test_the_job_routing_design_is_linked_and_names_files_that_exist() -> None:
    design = (REPO / "docs" / "job-routing.md").read_text(encoding="utf-8")
    assert "](docs/job-routing.md)" in (REPO / "README.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`((?:dwh|scripts)/[\w/]+\.py)`", design))
    assert len(named) >= 5
    assert sorted(p for p in named if not (REPO / p).is_file()) == []
