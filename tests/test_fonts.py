"""Static font instances: named right, reproducible, and the only fonts cairo sees."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from renderer.text.fonts import (
    BOLD,
    REGULAR,
    FontNotFound,
    cache_root,
    font_family,
    fontconfig_file,
)

ROOT = Path(__file__).resolve().parents[1]


def run_python(code: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    full_env.pop("FONTCONFIG_FILE", None)
    return subprocess.run(
        [sys.executable, "-c", code], env=full_env, capture_output=True, text=True, check=True
    )


def test_inter_has_regular_and_bold_static_faces() -> None:
    family = font_family("Inter")
    assert family.name == "Inter"
    assert (family.regular.weight, family.bold.weight) == (REGULAR, BOLD)
    assert family.face(False) is family.regular
    assert family.face(True) is family.bold
    for face, style in ((family.regular, "Regular"), (family.bold, "Bold")):
        assert face.path.is_file()
        assert face.path.parent == family.directory
        assert family.directory.is_relative_to(cache_root() / "fonts")
        font = TTFont(face.path)
        assert "fvar" not in font and "gvar" not in font  # really static
        assert "GPOS" not in font  # we never kern; see _static_instance
        names = font["name"]
        assert names.getDebugName(1) == "Inter"
        assert names.getDebugName(2) == style
        assert names.getDebugName(4) == f"Inter {style}"
        assert names.getDebugName(6) == f"Inter-{style}"
        assert names.getDebugName(16) is None and names.getDebugName(17) is None
        assert font["OS/2"].usWeightClass == face.weight
        bold = face.weight == BOLD
        assert bool(font["OS/2"].fsSelection & 1 << 5) is bold  # BOLD
        assert bool(font["OS/2"].fsSelection & 1 << 6) is not bold  # REGULAR
        assert font["head"].macStyle == (1 if bold else 0)


def test_face_metrics_come_from_the_static_file() -> None:
    face = font_family().regular
    font = TTFont(face.path)
    assert face.units_per_em == font["head"].unitsPerEm == 2048
    assert face.ascent == font["hhea"].ascent > 0
    assert face.descent == -font["hhea"].descent > 0
    assert face.cap_height == font["OS/2"].sCapHeight
    assert face.x_height == font["OS/2"].sxHeight
    cmap, hmtx = font.getBestCmap(), font["hmtx"]
    for ch in "AaWw0 %é—":
        assert face.advance(ch) == hmtx[cmap[ord(ch)]][0]
    assert face.advance("\U000f0000") == hmtx[".notdef"][0] == face.notdef_advance


def test_bold_is_wider_than_regular() -> None:
    family = font_family()
    assert family.bold.advance("m") > family.regular.advance("m")


def test_coverage() -> None:
    face = font_family().regular
    assert face.covers("Net Promoter Score (NPS) – 12.5 % ≥ €3\nnext")
    assert face.missing("ok 日本 語 日") == ("日", "本", "語")
    assert not face.covers("🙂")


def test_missing_family_names_the_package_to_install() -> None:
    with pytest.raises(FontNotFound) as info:
        font_family("Foo Grotesk")
    message = str(info.value)
    assert "'Foo Grotesk' is not installed" in message
    assert "pip install fontpkg-foo-grotesk" in message
    assert isinstance(info.value, LookupError)
    with pytest.raises(FontNotFound):
        font_family("")


def test_font_family_is_cached_per_process() -> None:
    assert font_family("Inter") is font_family("Inter")


def test_fontconfig_file_lists_only_our_fonts() -> None:
    path = fontconfig_file(["Inter"])
    assert path == fontconfig_file(("Inter", "Inter"))  # deterministic, deduplicated
    text = path.read_text()
    assert f"<dir>{font_family().directory}</dir>" in text
    assert text.count("<dir>") == 1
    assert "<include" not in text and "/usr/share/fonts" not in text
    assert f"<cachedir>{cache_root()}" in text
    assert "<const>medium</const>" in text and "<const>regular</const>" in text
    assert "<family>sans-serif</family>" in text and "<family>Inter</family>" in text


def test_fontconfig_resolves_every_request_to_our_static_faces() -> None:
    conf = fontconfig_file(["Inter"])
    family = font_family()
    env = {**os.environ, "FONTCONFIG_FILE": str(conf)}

    def match(pattern: str) -> str:
        out = subprocess.run(
            ["fc-match", "--format=%{file}", pattern],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        return out.stdout

    assert match("Inter") == str(family.regular.path)
    assert match("Inter:weight=medium") == str(family.regular.path)  # what cairo asks for
    assert match("Inter:bold") == str(family.bold.path)
    assert match("sans-serif") == str(family.regular.path)
    assert match("DejaVu Sans") == str(family.regular.path)  # system fonts are hidden


def test_static_instances_are_reproducible(tmp_path: Path) -> None:
    """Two processes building into one empty cache at once get identical bytes.

    That covers the atomic writes (no torn files when racing) and
    determinism across runs (compared with this user's cache, built earlier).
    """
    code = (
        "from renderer.text.fonts import font_family\n"
        "f = font_family()\n"
        "print(f.regular.path, f.bold.path, sep='\\n')\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(tmp_path)}
    procs = [
        subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120)[0] for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert outputs[0] == outputs[1]
    reference = font_family()
    built = [Path(line) for line in outputs[0].split()]
    assert [p.name for p in built] == [reference.regular.path.name, reference.bold.path.name]
    for new, old in zip(built, (reference.regular.path, reference.bold.path), strict=True):
        assert new.read_bytes() == old.read_bytes()
    new_metrics = built[0].parent / "family.json"
    assert new_metrics.read_bytes() == (reference.directory / "family.json").read_bytes()
    assert not list(built[0].parent.glob("*.tmp"))


def test_warm_start_reads_no_font_file() -> None:
    font_family()  # make sure the cache exists
    out = run_python(
        "import sys\n"
        "from renderer.text.fonts import font_family\n"
        "font_family()\n"
        "print('fontTools.ttLib' in sys.modules)\n"
    )
    assert out.stdout.strip() == "False"


def test_cache_location_follows_xdg(tmp_path: Path) -> None:
    out = run_python(
        "from renderer.text.fonts import cache_root\nprint(cache_root())",
        env={"XDG_CACHE_HOME": str(tmp_path)},
    )
    assert out.stdout.strip() == str(tmp_path / "tierdraw")
    out = run_python(
        "from renderer.text.fonts import cache_root\nprint(cache_root())",
        env={"XDG_CACHE_HOME": "relative/ignored", "HOME": str(tmp_path)},
    )
    assert out.stdout.strip() == str(tmp_path / ".cache" / "tierdraw")
