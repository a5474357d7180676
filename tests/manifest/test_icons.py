"""The icons: committed PNGs of the right sizes, the outline white on transparent, the colour
icon really in colour, both reproduced by manifest/draw_icons.py, and the pixel checks catch
icons Teams would refuse."""

from __future__ import annotations

import importlib.util
import io

import pytest
from PIL import Image, ImageChops

from manifest import packaging as teams_package

ICONS = teams_package.MANIFEST_DIR / "icons"


def _pixels(image: Image.Image) -> list[tuple[int, ...]]:
    bands = len(image.getbands())
    raw = image.tobytes()
    return [tuple(raw[i : i + bands]) for i in range(0, len(raw), bands)]


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _draw_icons_module():
    spec = importlib.util.spec_from_file_location("draw_icons", teams_package.MANIFEST_DIR / "draw_icons.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_packaged_icons_have_teams_sizes(package_files, manifest):
    color = Image.open(io.BytesIO(package_files[manifest["icons"]["color"]]))
    outline = Image.open(io.BytesIO(package_files[manifest["icons"]["outline"]]))
    assert (color.format, color.size) == ("PNG", (192, 192))
    assert (outline.format, outline.size) == ("PNG", (32, 32))


def test_outline_is_white_on_transparent(package_files, manifest):
    outline = Image.open(io.BytesIO(package_files[manifest["icons"]["outline"]])).convert("RGBA")
    pixels = _pixels(outline)
    visible = [p for p in pixels if p[3] > 0]
    assert all(p[:3] == (255, 255, 255) for p in visible)
    # A real glyph: a good share of solid pixels and a good share of fully transparent ones.
    assert sum(p[3] == 255 for p in pixels) > 0.2 * len(pixels)
    assert sum(p[3] == 0 for p in pixels) > 0.3 * len(pixels)


def test_color_icon_is_opaque_and_colourful(package_files, manifest):
    color = Image.open(io.BytesIO(package_files[manifest["icons"]["color"]])).convert("RGBA")
    assert color.getchannel("A").getextrema() == (255, 255)  # fully opaque background
    colours = color.convert("RGB").getcolors(maxcolors=192 * 192)
    assert colours is not None
    assert len(colours) > 50  # a gradient and anti-aliased glyph, not a flat square
    # The white glyph covers a real part of the icon, but not all of it.
    white = sum(count for count, rgb in colours if rgb == (255, 255, 255))
    assert 0.1 * 192 * 192 < white < 0.5 * 192 * 192


def test_draw_icons_reproduces_the_committed_icons():
    module = _draw_icons_module()
    for drawn, name in ((module.draw_color(), "color.png"), (module.draw_outline(), "outline.png")):
        committed = Image.open(ICONS / name)
        assert (drawn.size, drawn.mode) == (committed.size, committed.mode)
        diff = ImageChops.difference(drawn, committed.convert(drawn.mode))
        # Allow tiny resampling differences between Pillow versions, not a different drawing.
        changed = sum(1 for px in _pixels(diff) if max(px) > 24)
        assert changed <= 0.01 * drawn.size[0] * drawn.size[1], f"{name} is stale: run manifest/draw_icons.py"


def test_icon_checks_reject_wrong_sizes():
    assert teams_package.icon_problems("color.png", _png(Image.new("RGB", (128, 128), (91, 95, 199))), "color") == [
        "color.png (color icon) is 128x128, Teams wants 192x192"
    ]
    outline = Image.new("RGBA", (64, 64), (255, 255, 255, 0))
    outline.paste((255, 255, 255, 255), (8, 8, 56, 56))
    assert teams_package.icon_problems("outline.png", _png(outline), "outline") == [
        "outline.png (outline icon) is 64x64, Teams wants 32x32"
    ]


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        # A coloured glyph on a transparent background.
        (lambda: _glyph((91, 95, 199, 255)), "visible pixels that are not white"),
        # White glyph on an opaque black background.
        (lambda: _glyph((255, 255, 255, 255), background=(0, 0, 0, 255)), "visible pixels that are not white"),
        # No alpha channel at all.
        (lambda: _glyph((255, 255, 255, 255)).convert("RGB"), "has no transparency"),
        # Nothing drawn.
        (lambda: Image.new("RGBA", (32, 32), (255, 255, 255, 0)), "fully transparent"),
    ],
)
def test_outline_checks_reject_icons_that_are_not_white_on_transparent(make, expected):
    problems = teams_package.icon_problems("outline.png", _png(make()), "outline")
    assert problems and expected in problems[0], problems


def test_outline_check_accepts_antialiased_white():
    image = _glyph((255, 255, 255, 255))
    image.putpixel((3, 3), (255, 255, 255, 128))  # a half-transparent edge pixel
    assert teams_package.icon_problems("outline.png", _png(image), "outline") == []


def test_non_png_icon_is_rejected():
    buffer = io.BytesIO()
    Image.new("RGB", (192, 192), (91, 95, 199)).save(buffer, format="JPEG")
    assert teams_package.icon_problems("color.png", buffer.getvalue(), "color") == [
        "color.png (color icon) is JPEG, not PNG"
    ]
    assert "not a readable image" in teams_package.icon_problems("color.png", b"not an image", "color")[0]


def _glyph(fill, background=(255, 255, 255, 0)) -> Image.Image:
    image = Image.new("RGBA", (32, 32), background)
    image.paste(fill, (8, 8, 24, 24))
    return image
