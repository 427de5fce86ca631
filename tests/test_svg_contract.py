"""The SVG contract of docs/spec-language.md ("The SVG it writes")."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from renderer.render import render_spec, resolve_theme
from renderer.spec.parse import load_spec, parse_spec_text

from conftest import SPECS

NS = "{http://www.w3.org/2000/svg}"


def svg_of(path: Path) -> tuple[ET.Element, bytes]:
    spec = load_spec(path)
    svg = render_spec(spec, resolve_theme(spec)).svg
    return ET.fromstring(svg), svg


def nodes(root: ET.Element) -> list[ET.Element]:
    return [g for g in root.iter(f"{NS}g") if "node" in g.get("class", "").split()]


@pytest.mark.parametrize("path", SPECS, ids=[p.stem for p in SPECS])
def test_root_is_accessible(path: Path) -> None:
    root, _ = svg_of(path)
    assert root.get("role") == "img"
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
    title_id, desc_id = root.get("aria-labelledby", "").split()
    title = root.find(f"{NS}title")
    desc = root.find(f"{NS}desc")
    assert title is not None and desc is not None
    assert title.get("id") == title_id and desc.get("id") == desc_id
    spec = load_spec(path)
    assert title.text == spec.title
    for lane in spec.lanes:  # the summary names every lane and its items
        assert lane.label in desc.text
        for item in lane.items:
            if item.label:
                assert item.label.replace("\n", " ") in desc.text


@pytest.mark.parametrize("path", SPECS, ids=[p.stem for p in SPECS])
def test_node_groups(path: Path) -> None:
    root, _ = svg_of(path)
    ids = set()
    for g in nodes(root):
        classes = g.get("class").split()
        assert g.get("id").startswith("node-")
        assert any(c.startswith("role-") for c in classes)
        assert any(c.startswith("tier-") and c[5:].isdigit() for c in classes)
        first = next(iter(g))
        assert first.tag == f"{NS}rect", g.get("id")
        ids.add(g.get("id"))
    assert len(ids) == len(nodes(root)), "ids are unique"


def test_structure_of_v4() -> None:
    root, _ = svg_of(Path(__file__).parents[1] / "specs" / "cs-metrics-hierarchy-v4.yaml")
    by_id = {g.get("id"): g for g in nodes(root)}
    metrics = by_id["node-metrics"]
    assert metrics.get("class") == "node role-lane tier-0"
    need = by_id["node-need-for-support"]
    assert need in list(metrics), "a lane's items are nested inside it"
    assert need.get("class") == "node role-group tier-1"
    assert by_id["node-volume"] in list(need)
    assert by_id["node-volume"].get("class") == "node role-metric tier-2"
    texts = [t.text for t in by_id["node-volume"] if t.tag == f"{NS}text"]
    assert texts == ["Volume"]
    op = by_id["node-operator"]
    assert op.get("class") == "node role-operator tier-1"
    assert [t.text for t in op if t.tag == f"{NS}text"] == ["×"]
    assert by_id["node-cs-net-impact-index"].get("class") == "node role-impact tier-1"


def test_question_is_a_sibling_of_its_node() -> None:
    root, _ = svg_of(Path(__file__).parents[1] / "specs" / "cs-metrics-hierarchy-v2.yaml")
    lane = next(g for g in nodes(root) if g.get("id") == "node-case-assessment")
    children = [c.get("id") for c in lane if c.tag == f"{NS}g"]
    assert children == [
        "node-volume-question",
        "node-volume",
        "node-root-cause-question",
        "node-root-cause",
    ]
    q = lane[[c.get("id") for c in lane].index("node-volume-question")]
    assert q.get("class") == "node role-question tier-1"
    assert [t.text for t in q if t.tag == f"{NS}text"] == ["How much support", "do customers need?"]


@pytest.mark.parametrize("path", SPECS, ids=[p.stem for p in SPECS])
def test_no_external_references(path: Path) -> None:
    _, svg = svg_of(path)
    text = svg.decode()
    assert "href" not in text
    assert "url(" not in text
    assert "@import" not in text and "@font-face" not in text


def test_ids_slugified_and_numbered_on_clashes() -> None:
    spec = parse_spec_text(
        "title: T\ncolumns:\n  - label: A\n    items: [First Contact Resolution, Volume, Volume]\n"
        "  - label: B\n    items: [{label: Volume, id: volume}]\n",
        "t.yaml",
    )
    root = ET.fromstring(render_spec(spec, resolve_theme(spec)).svg)
    ids = [g.get("id") for g in nodes(root)]
    assert ids == [
        "node-a",
        "node-first-contact-resolution",
        "node-volume-2",
        "node-volume-3",
        "node-b",
        "node-volume",
    ]


def test_coordinates_are_rounded() -> None:
    _, svg = svg_of(SPECS[0])
    import re

    decimals = re.findall(r'="-?\d+\.(\d+)"', svg.decode())
    assert decimals and all(len(d) <= 2 for d in decimals)
