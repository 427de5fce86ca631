"""Themes: loading, `extends`, errors with file:line:col, WCAG contrast, packaging."""

from __future__ import annotations

import math
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import renderer.theme as theme_module
from renderer.colour import contrast
from renderer.errors import SpecErrors
from renderer.render import render_spec
from renderer.spec.parse import load_spec
from renderer.theme import (
    BUILTIN_DIRS,
    ROLES,
    available_themes,
    label_style,
    load_theme,
    needed_contrast,
    theme_sources,
)

from conftest import ROOT

THEMES = sorted((ROOT / "themes").glob("*.yaml"))
V4 = ROOT / "specs" / "cs-metrics-hierarchy-v4.yaml"

# A complete theme whose line numbers the tests below rely on (see `where`).
BASE = """\
name: base
palette:
  navy: "#1f3a5f"
  blue-300: "#93b4d8"
  blue-200: "#bcd2ea"
  blue-100: "#dce8f5"
  blue-50: "#eef4fb"
  grey-800: "#2d3540"
  grey-600: "#55606e"
  grey-500: "#6b7785"
  grey-400: "#9aa5b1"
  grey-300: "#c8d0d8"
  grey-100: "#f1f3f5"
  white: "#ffffff"
background: white
font:
  family: Inter
  sizes: {title: 30, subtitle: 17, lane: 19, group: 15, metric: 14, caption: 12, detail: 12,
          question: 13, operator: 22, footnote: 11}
spacing: {margin: 32, lane_gap: 44, gap: 10, padding: 12, radius: 6}
text:
  title: navy
  subtitle: grey-600
  footnote: grey-600
  flow: navy
roles:
  lane:     {fill: navy, stroke: none, text: white, caption: blue-200}
  group:    {fill: blue-50, stroke: none, text: navy, caption: grey-600}
  metric:   {fill: blue-100, stroke: none, text: navy, caption: grey-600}
  question: {fill: grey-100, stroke: grey-300, text: grey-800, caption: grey-600}
  outcome:  {fill: blue-50, stroke: none, text: navy, caption: grey-600}
  impact:   {fill: white, stroke: blue-300, text: navy, caption: grey-600}
  operator: {fill: white, stroke: blue-300, text: navy}
  note:     {fill: grey-100, stroke: none, text: grey-800, caption: grey-600}
ramp: [grey-300, blue-100, blue-200, blue-300]
emphasis: {stroke: navy, stroke_width: 3}
"""


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / f"{name}.yaml"
    path.write_text(text)
    return path


def where(path: Path, line_text: str, value: str) -> str:
    """`path:line:col` of `value` on the first line containing `line_text`."""
    for i, line in enumerate(path.read_text().splitlines(), 1):
        if line_text in line:
            return f"{path}:{i}:{line.index(value, line.index(line_text)) + 1}"
    raise AssertionError(f"{line_text!r} not in {path}")


def ratio(fg: str, bg: str) -> str:
    """A contrast as messages print it: rounded down to 0.01."""
    return f"{math.floor(contrast(fg, bg) * 100) / 100:.2f}:1"


def errors_of(path: Path | str, search: tuple[Path, ...] = ()) -> list[str]:
    with pytest.raises(SpecErrors) as info:
        load_theme(str(path), search)
    return [str(e) for e in info.value.errors]


@pytest.fixture
def base(tmp_path: Path) -> Path:
    return write(tmp_path, "base", BASE)


# --------------------------------------------------------------------------- built-ins


@pytest.mark.parametrize("path", THEMES, ids=lambda p: p.stem)
def test_every_shipped_theme_loads_and_meets_wcag_aa(path: Path) -> None:
    theme = load_theme(path.stem)
    assert theme.name == path.stem
    assert set(ROLES) <= set(theme.roles)
    assert theme.colours >= {theme.background, *theme.text.values(), *theme.ramp}


def test_every_shipped_flow_colour_meets_3_to_1() -> None:
    for path in THEMES:
        t = load_theme(path.stem)
        assert contrast(t.text["flow"], t.background) >= 3, path.stem


# --------------------------------------------------------------------------- contrast


def test_a_role_text_below_aa_is_an_error_at_its_value(tmp_path: Path, base: Path) -> None:
    child = write(
        tmp_path, "child", "extends: base\nroles:\n  metric: {fill: blue-100, text: grey-400}\n"
    )
    assert errors_of(child) == [
        f"{where(child, 'metric', 'grey-400')}: role 'metric': text 'grey-400' on fill"
        " 'blue-100' has contrast 2.01:1; WCAG AA needs 4.5:1 for text at 14 px"
        " (choose a darker text or a lighter fill)",
    ]


def test_an_inherited_value_is_blamed_where_it_was_written(tmp_path: Path, base: Path) -> None:
    """Darkening the metric fill in a child makes the parent's navy text fail:
    the error points at `text: navy` in the parent, and advises the other way."""
    child = write(tmp_path, "child", 'extends: base\npalette:\n  blue-100: "#2c4a70"\n')
    assert errors_of(child) == [
        f"{where(base, '  metric:   {', 'navy')}: role 'metric': text 'navy' on fill 'blue-100'"
        f" has contrast {ratio('#1f3a5f', '#2c4a70')}; WCAG AA needs 4.5:1 for text at 14 px"
        " (choose a darker text or a lighter fill)",
        f"{where(base, '  metric:   {', 'grey-600')}: role 'metric': caption 'grey-600' on"
        f" fill 'blue-100' has contrast {ratio('#55606e', '#2c4a70')}; WCAG AA needs 4.5:1"
        " for text at 12 px (choose a lighter caption or a darker fill)",
    ]


def test_large_bold_text_needs_3_to_1_and_captions_always_4_5(tmp_path: Path, base: Path) -> None:
    """Lane labels (19 px bold) pass at 3:1; their captions need 4.5:1."""
    mid = "#8592a6"
    assert 3 < contrast(mid, "#ffffff") < 4.5
    child = write(
        tmp_path,
        "child",
        f'extends: base\npalette:\n  mid: "{mid}"\nroles:\n'
        "  lane: {fill: white, text: mid, caption: mid}\n",
    )
    assert errors_of(child) == [
        f"{where(child, 'caption: mid', 'mid')}: role 'lane': caption 'mid' on fill 'white'"
        f" has contrast {ratio(mid, '#ffffff')}; WCAG AA needs 4.5:1 for text at 12 px"
        " (choose a darker caption or a lighter fill)",
    ]


def test_thresholds() -> None:
    assert needed_contrast(23.9, False) == 4.5
    assert needed_contrast(24, False) == 3.0
    assert needed_contrast(18.66, True) == 3.0
    assert needed_contrast(18.6, True) == 4.5
    assert needed_contrast(18.66, False) == 4.5


def test_label_styles_follow_the_layout() -> None:
    t = load_theme(str(ROOT / "themes" / "blue-grey.yaml"))
    s = t.sizes
    assert {r: label_style(t, r) for r in (*ROLES, "header", "label", "cell", "total")} == {
        "lane": (s["lane"], True),
        "group": (s["group"], True),
        "metric": (s["metric"], False),
        "question": (s["question"], False),
        "outcome": (s["group"], True),
        "impact": (s["lane"], True),
        "operator": (s["operator"], True),
        "note": (s["metric"], False),
        "header": (s["group"], True),
        "label": (s["group"], True),
        "cell": (s["metric"] * 1.4, True),
        "total": (s["metric"] * 1.4, True),
    }


def test_a_role_without_fill_is_checked_on_the_background(tmp_path: Path, base: Path) -> None:
    child = write(tmp_path, "child", "extends: base\nroles:\n  operator: {fill: none}\n")
    load_theme(str(child))  # navy on white: fine
    dark = write(tmp_path, "dark", "extends: child\nbackground: grey-800\n")
    errs = errors_of(dark)
    operator = [e for e in errs if "role 'operator'" in e]
    r = ratio("#1f3a5f", "#2d3540")
    assert operator == [
        f"{where(base, '  operator: ', 'navy')}: role 'operator': text 'navy' on background"
        f" 'grey-800' has contrast {r}; WCAG AA needs 3:1 for large text at 22 px bold"
        " (choose a lighter text or a darker background)",
        f"{where(base, '  operator: ', 'navy')}: role 'operator': caption 'navy' on background"
        f" 'grey-800' has contrast {r}; WCAG AA needs 4.5:1 for text at 12 px"
        " (choose a lighter caption or a darker background)",
    ]
    # the page texts on the dark background fail too, each at its own value
    assert sum("text 'title'" in e or "text 'subtitle'" in e for e in errs) == 2


def test_matrix_roles_are_checked_only_when_defined(tmp_path: Path, base: Path) -> None:
    ok = write(tmp_path, "ok", "extends: base\nroles:\n  cell: {fill: white, text: navy}\n")
    assert load_theme(str(ok)).roles["cell"].text == "#1f3a5f"
    bad = write(tmp_path, "bad", "extends: base\nroles:\n  cell: {fill: white, text: grey-300}\n")
    assert errors_of(bad)[0] == (
        f"{where(bad, 'cell', 'grey-300')}: role 'cell': text 'grey-300' on fill 'white' has"
        f" contrast {ratio('#c8d0d8', '#ffffff')}; WCAG AA needs 3:1 for large text at 19.6 px"
        " bold"
        " (choose a darker text or a lighter fill)"
    )


def test_page_texts(tmp_path: Path, base: Path) -> None:
    child = write(
        tmp_path,
        "child",
        "extends: base\ntext: {title: grey-400, subtitle: grey-500, footnote: grey-400}\n",
    )
    r = ratio("#9aa5b1", "#ffffff")
    assert errors_of(child) == [
        f"{where(child, 'text:', 'grey-400')}: text 'title': colour 'grey-400' on background"
        f" 'white' has contrast {r}; WCAG AA needs 3:1 for large text at 30 px bold"
        " (choose a darker colour or a lighter background)",
        f"{where(child, 'footnote: grey-400', 'grey-400')}: text 'footnote': colour 'grey-400'"
        f" on background 'white' has contrast {r}; WCAG AA needs 4.5:1 for text at 11 px"
        " (choose a darker colour or a lighter background)",
    ]


def test_a_default_page_colour_is_blamed_at_the_background(tmp_path: Path) -> None:
    """No `text` section: titles default to grey-600, which the dark background fails."""
    bare = BASE.split("text:\n")[0] + "roles:\n" + BASE.split("roles:\n")[1]
    dark = write(tmp_path, "dark", bare.replace("background: white", "background: grey-800"))
    title = [e for e in errors_of(dark) if "text 'title'" in e]
    assert title == [
        f"{where(dark, 'background', 'grey-800')}: text 'title': colour 'grey-600' on background"
        f" 'grey-800' has contrast {ratio('#55606e', '#2d3540')}; WCAG AA needs 3:1 for large"
        " text at 30 px bold (choose a lighter colour or a darker background)"
    ]


def test_flow_is_a_graphic_needing_3_to_1(tmp_path: Path, base: Path) -> None:
    child = write(tmp_path, "child", "extends: base\ntext: {flow: blue-300}\n")
    assert errors_of(child) == [
        f"{where(child, 'flow', 'blue-300')}: text 'flow': colour 'blue-300' on background"
        " 'white' has contrast 2.15:1; WCAG AA needs 3:1 for graphics such as the flow"
        " connector (choose a darker colour or a lighter background)",
    ]
    ok = write(tmp_path, "ok", "extends: base\ntext: {flow: grey-600}\n")
    load_theme(str(ok))


def test_all_contrast_failures_come_together_sorted(tmp_path: Path, base: Path) -> None:
    child = write(
        tmp_path,
        "child",
        "extends: base\nroles:\n"
        "  note: {text: grey-300}\n"
        "  group: {text: grey-400}\n"
        "  metric: {caption: grey-300}\n",
    )
    # one SpecErrors, in file order, each at its own value
    assert [e.split(" '", 1)[0] for e in errors_of(child)] == [
        f"{where(child, 'note', 'grey-300')}: role",
        f"{where(child, 'group', 'grey-400')}: role",
        f"{where(child, 'metric', 'grey-300')}: role",
    ]
    assert [e.split("'")[1:4:2] for e in errors_of(child)] == [
        ["note", "grey-300"],
        ["group", "grey-400"],
        ["metric", "grey-300"],
    ]


def test_ratio_is_rounded_down_so_a_failure_never_reads_as_passing() -> None:
    assert theme_module.ratio_text(4.4999) == "4.49:1"
    assert theme_module.ratio_text(2.0145) == "2.01:1"


# --------------------------------------------------------------------------- other errors


def test_unknown_palette_name(tmp_path: Path, base: Path) -> None:
    child = write(tmp_path, "child", "extends: base\nroles:\n  metric: {fill: blue-10}\n")
    assert errors_of(child) == [
        f"{where(child, 'metric', 'blue-10')}: role 'metric' fill names 'blue-10', which is"
        " not in the palette (did you mean 'blue-100'?)"
    ]


def test_raw_colour(tmp_path: Path, base: Path) -> None:
    child = write(tmp_path, "child", 'extends: base\nbackground: "#ffffff"\n')
    assert errors_of(child) == [
        f"{where(child, 'background', chr(34))}: 'background' uses"
        " the raw colour '#ffffff'; name a palette entry"
    ]


def test_bad_palette_value(tmp_path: Path, base: Path) -> None:
    child = write(tmp_path, "child", "extends: base\npalette:\n  navy: '#1F3A5'\n")
    assert errors_of(child) == [
        f"{where(child, 'navy', chr(39))}: palette colour 'navy' must be a string \"#rrggbb\""
    ]


def test_unknown_role(tmp_path: Path, base: Path) -> None:
    child = write(tmp_path, "child", "extends: base\nroles:\n  metrics: {text: navy}\n")
    assert errors_of(child) == [
        f"{where(child, 'metrics', 'metrics')}: unknown role 'metrics' (did you mean 'metric'?)"
    ]


def test_missing_role_after_merge(tmp_path: Path) -> None:
    lean = write(tmp_path, "lean", BASE.replace("  note:     {", "  # note: {"))
    # at the first role of the merged `roles`: where the missing one would go
    assert errors_of(lean) == [f"{where(lean, '  lane:     {', 'lane')}: 'roles' is missing 'note'"]


def test_extends_a_theme_that_does_not_exist(tmp_path: Path) -> None:
    child = write(tmp_path, "child", "extends: blue-gery\n")
    assert errors_of(child) == [
        f"{where(child, 'extends', 'blue-gery')}: unknown theme 'blue-gery' in 'extends'"
    ]


def test_self_cycle(tmp_path: Path) -> None:
    me = write(tmp_path, "me", "extends: me\n")
    assert errors_of(me) == [
        f"{where(me, 'extends', 'me')}: theme 'extends' forms a cycle: me -> me"
        " (one of these themes must not extend another)"
    ]


def test_three_theme_cycle_is_reported_where_it_closes(tmp_path: Path) -> None:
    write(tmp_path, "a", "extends: b\n")
    write(tmp_path, "b", "extends: c.yaml\n")
    c = write(tmp_path, "c", "name: c\nextends: a\n")
    assert errors_of(tmp_path / "a.yaml") == [
        f"{where(c, 'extends', 'a')}: theme 'extends' forms a cycle: a -> b -> c -> a"
        " (one of these themes must not extend another)"
    ]
    # entering the loop elsewhere names it from there, at the `extends` closing it
    assert errors_of(c) == [
        f"{where(tmp_path / 'b.yaml', 'extends', 'c')}: theme 'extends' forms a cycle:"
        " c -> a -> b -> c (one of these themes must not extend another)"
    ]


def test_a_cycle_below_the_theme_names_only_the_loop(tmp_path: Path) -> None:
    write(tmp_path, "top", "extends: a\n")
    write(tmp_path, "a", "extends: b\n")
    b = write(tmp_path, "b", "extends: a\n")
    assert errors_of(tmp_path / "top.yaml") == [
        f"{where(b, 'extends', 'a')}: theme 'extends' forms a cycle: a -> b -> a"
        " (one of these themes must not extend another)"
    ]


def test_unknown_theme_suggests_a_close_name() -> None:
    assert errors_of("blue-gery") == [
        "blue-gery:1:1: unknown theme 'blue-gery' (did you mean 'blue-grey'?)"
    ]


# --------------------------------------------------------------------------- merge


def test_deep_merge_keeps_everything_the_child_does_not_set(tmp_path: Path, base: Path) -> None:
    child = write(
        tmp_path,
        "child",
        'name: child\nextends: base\npalette:\n  blue-50: "#f0f5fb"\n'
        "roles:\n  metric: {fill: blue-50}\n",
    )
    parent, kid = load_theme(str(base)), load_theme(str(child))
    assert kid.name == "child" and parent.name == "base"
    assert dict(kid.palette) == {**parent.palette, "blue-50": "#f0f5fb"}
    assert list(kid.palette) == list(parent.palette)
    # metric keeps its stroke, text and caption; only its fill changes
    assert kid.roles["metric"] == parent.roles["metric"].__class__(
        "#f0f5fb", None, parent.roles["metric"].text, parent.roles["metric"].caption, 1.0
    )
    # roles naming the changed entry follow it; all other roles are the parent's
    for r in ROLES:
        if r in ("group", "outcome"):  # fill: blue-50
            assert kid.roles[r].fill == "#f0f5fb"
            assert kid.roles[r].text == parent.roles[r].text
        elif r != "metric":
            assert kid.roles[r] == parent.roles[r]
    assert (kid.sizes, kid.spacing, kid.text, kid.ramp, kid.background) == (
        parent.sizes,
        parent.spacing,
        parent.text,
        parent.ramp,
        parent.background,
    )
    assert (kid.emphasis_stroke, kid.emphasis_width, kid.font_family) == (
        parent.emphasis_stroke,
        parent.emphasis_width,
        parent.font_family,
    )


def test_changing_two_palette_entries_changes_exactly_those_colours(tmp_path: Path) -> None:
    parent = load_theme("blue-grey")
    new = {"navy": "#1e3a60", "blue-100": "#dbe7f4"}
    old = {k: parent.palette[k] for k in new}
    assert not set(new.values()) & set(parent.palette.values())
    child_path = write(
        tmp_path,
        "two",
        f"name: blue-grey\nextends: {ROOT / 'themes' / 'blue-grey.yaml'}\npalette:\n"
        + "".join(f'  {k}: "{v}"\n' for k, v in new.items()),
    )
    child = load_theme(str(child_path))
    spec = load_spec(V4)
    a, b = render_spec(spec, parent).svg, render_spec(spec, child).svg
    hexes = re.compile(rb"#[0-9a-f]{6}")
    ca, cb = set(hexes.findall(a)), set(hexes.findall(b))
    assert {o.encode() for o in old.values()} <= ca
    assert ca - cb == {o.encode() for o in old.values()}
    assert cb - ca == {n.encode() for n in new.values()}
    swapped = b
    for k in new:
        swapped = swapped.replace(new[k].encode(), old[k].encode())
    assert swapped == a


# --------------------------------------------------------------------------- finding themes


def test_theme_sources_kinds_and_shadowing(tmp_path: Path) -> None:
    project = tmp_path / "themes"
    project.mkdir()
    write(project, "blue-grey", BASE)  # shadows the built-in
    write(project, "mine", BASE)
    loose = write(tmp_path, "loose", BASE)
    got = theme_sources((project, tmp_path / "missing"), paths=(loose,))
    kinds = {name: (path, kind) for name, path, kind in got}
    assert kinds["mine"] == (project / "mine.yaml", "project")
    assert kinds["blue-grey"] == (project / "blue-grey.yaml", "project")
    assert kinds["loose"] == (loose, "path")
    for p in THEMES:
        if p.stem != "blue-grey":
            assert kinds[p.stem][1] == "built-in"
    assert [n for n, _, _ in got] == sorted(kinds)
    assert {n: p for n, p, _ in got if n != "loose"} == available_themes((project,))


def test_a_project_folder_that_is_the_builtin_folder_counts_as_built_in() -> None:
    got = theme_sources((ROOT / "themes",))
    assert {kind for _, _, kind in got} == {"built-in"}
    assert {n for n, _, _ in got} >= {p.stem for p in THEMES}


def test_the_wheel_ships_every_theme(tmp_path: Path) -> None:
    """An installed tierdraw finds its themes in renderer/_builtin_themes; the
    wheel must carry all of themes/ there (hatch force-include)."""
    r = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    (wheel,) = tmp_path.glob("tierdraw-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "renderer/_builtin_themes/blue-grey.yaml" in names
    for p in THEMES:
        assert f"renderer/_builtin_themes/{p.name}" in names
        data = zipfile.ZipFile(wheel).read(f"renderer/_builtin_themes/{p.name}")
        assert data == p.read_bytes()
    assert BUILTIN_DIRS[0].name == "_builtin_themes"
    # unpacked away from the checkout, the package finds them there
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    r = subprocess.run(
        [
            sys.executable,
            "-c",
            "from renderer.theme import load_theme, theme_sources\n"
            "print(load_theme('blue-grey').source)\n"
            "print(sorted({kind for _, _, kind in theme_sources()}))\n",
        ],
        cwd=tmp_path,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        str(site / "renderer" / "_builtin_themes" / "blue-grey.yaml"),
        "['built-in']",
    ]


@pytest.mark.parametrize("target", ["/etc/hostname", "../outside.yaml"])
def test_extends_may_not_reach_outside_the_theme_folder(tmp_path: Path, target: str) -> None:
    home = tmp_path / "themes"
    home.mkdir()
    write(tmp_path, "outside", BASE)
    child = write(home, "child", f"extends: {target}\n")
    assert errors_of(child) == [
        f"{child}:1:10: 'extends' path '{target}' is outside the theme's folder:"
        " name a theme, or a file beside this one"
    ]


def test_extends_a_file_beside_it(tmp_path: Path) -> None:
    write(tmp_path, "base", BASE)
    child = write(tmp_path, "child", "extends: ./base.yaml\n")
    assert load_theme(str(child)).palette == load_theme(str(tmp_path / "base.yaml")).palette
