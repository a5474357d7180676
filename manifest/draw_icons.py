"""Draw the Teams app icons: ``icons/color.png`` (192x192) and ``icons/outline.png`` (32x32).

Why a script and not hand-made files: the glyph (a phone handset cradling a minute-pool pie
with one slice used) is defined once here as geometry, and both icons are rendered from it, so
the colour icon and the outline can never drift apart. The PNGs are committed; run this again
after changing the drawing:

    .venv/bin/python manifest/draw_icons.py

Drawing happens on a large canvas (SCALE times the final size), and shapes are rounded by a
blur-and-threshold pass, then the result is downsampled: that gives smooth anti-aliased edges
without hand-tuning pixels. The outline icon keeps every pixel's colour pure white and puts the
anti-aliasing in the alpha channel only, which is what Teams asks for ("white on transparent").
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter

HERE = Path(__file__).resolve().parent
ICONS_DIR = HERE / "icons"

COLOR_SIZE = 192
OUTLINE_SIZE = 32
SCALE = 8  # supersampling factor

# Teams-ish purple to blue, the accent colour of the manifest first.
GRADIENT_TOP_LEFT = (91, 95, 199)  # #5B5FC7
GRADIENT_BOTTOM_RIGHT = (54, 115, 216)  # #3673D8
USED_SLICE = (255, 185, 0)  # amber: the minutes already used
WHITE = (255, 255, 255)

# The glyph lives in a unit square (0..1, y down). The handset follows an arc whose centre
# sits in the top-right corner, so its two ends (earpiece top-left, mouthpiece bottom-right)
# frame the pie that sits in the concave side of the curve.
ARC_CENTER = (0.80, 0.20)
ARC_RADIUS = 0.60
SPINE_WIDTH = 0.15
PAD_DEPTH = 0.11  # how far the ear and mouth pads reach towards the arc centre
PAD_SWEEP_DEG = 19.0  # angular length of each pad
ARC_FROM_DEG, ARC_TO_DEG = 90.0, 180.0  # bottom end (mouthpiece) to left end (earpiece)
PIE_CENTER = (0.69, 0.31)
PIE_RADIUS = 0.23
USED_FROM_DEG, USED_TO_DEG = -90.0, 0.0  # a quarter used: the slice from 12 to 3 o'clock
SLICE_GAP = 0.035  # the gap separating the used slice from the rest of the pie
USED_SLICE_OFFSET = 0.03  # the used slice is pulled out a little, like an exploded pie chart


def _ring_segment(box: float, r_inner: float, r_outer: float, a0: float, a1: float) -> list:
    """Polygon of a ring segment between two radii and two angles (degrees, y down)."""
    cx, cy = ARC_CENTER
    steps = max(8, int(abs(a1 - a0)))
    outer = [
        (cx + r_outer * math.cos(math.radians(a)), cy + r_outer * math.sin(math.radians(a)))
        for a in (a0 + (a1 - a0) * i / steps for i in range(steps + 1))
    ]
    inner = [
        (cx + r_inner * math.cos(math.radians(a)), cy + r_inner * math.sin(math.radians(a)))
        for a in (a1 - (a1 - a0) * i / steps for i in range(steps + 1))
    ]
    return [(x * box, y * box) for x, y in outer + inner]


def _handset_mask(box: int) -> Image.Image:
    """The handset silhouette as an 8-bit mask on a ``box`` x ``box`` canvas."""
    mask = Image.new("L", (box, box), 0)
    draw = ImageDraw.Draw(mask)
    half = SPINE_WIDTH / 2
    draw.polygon(_ring_segment(box, ARC_RADIUS - half, ARC_RADIUS + half, ARC_FROM_DEG, ARC_TO_DEG), fill=255)
    inner = ARC_RADIUS - half - PAD_DEPTH
    for a0, a1 in (
        (ARC_FROM_DEG, ARC_FROM_DEG + PAD_SWEEP_DEG),
        (ARC_TO_DEG - PAD_SWEEP_DEG, ARC_TO_DEG),
    ):
        draw.polygon(_ring_segment(box, inner, ARC_RADIUS + half, a0, a1), fill=255)
    return _rounded(mask, radius=box * 0.025)


def _rounded(mask: Image.Image, radius: float) -> Image.Image:
    """Round the corners of a mask: blur, then threshold back to a hard shape."""
    blurred = mask.filter(ImageFilter.GaussianBlur(radius))
    return blurred.point(lambda v: 255 if v >= 128 else 0)


def _pie_masks(box: int, gap_px: float) -> tuple[Image.Image, Image.Image]:
    """The remaining-minutes part of the pie and the used slice, as two masks.

    ``gap_px`` is the width of the gap around the used slice on this canvas.
    """
    cx, cy = PIE_CENTER
    r = PIE_RADIUS

    def disc_box(center_x: float, center_y: float) -> list[float]:
        return [(center_x - r) * box, (center_y - r) * box, (center_x + r) * box, (center_y + r) * box]

    remaining = Image.new("L", (box, box), 0)
    ImageDraw.Draw(remaining).pieslice(disc_box(cx, cy), USED_TO_DEG, USED_FROM_DEG + 360, fill=255)
    mid = math.radians((USED_FROM_DEG + USED_TO_DEG) / 2)
    ox, oy = USED_SLICE_OFFSET * math.cos(mid), USED_SLICE_OFFSET * math.sin(mid)
    used = Image.new("L", (box, box), 0)
    ImageDraw.Draw(used).pieslice(disc_box(cx + ox, cy + oy), USED_FROM_DEG, USED_TO_DEG, fill=255)
    # Carve the gap: two strokes along the slice's straight edges, from the pie centre outwards.
    gap = Image.new("L", (box, box), 0)
    gap_draw = ImageDraw.Draw(gap)
    for angle in (USED_FROM_DEG, USED_TO_DEG):
        a = math.radians(angle)
        end = (cx + 1.3 * r * math.cos(a), cy + 1.3 * r * math.sin(a))
        gap_draw.line([(cx * box, cy * box), (end[0] * box, end[1] * box)], fill=255, width=max(1, round(gap_px)))
    remaining = ImageChops.subtract(remaining, gap)
    used = ImageChops.subtract(used, gap)
    return _rounded(remaining, radius=box * 0.008), _rounded(used, radius=box * 0.008)


def _glyph_masks(size: int, margin: float) -> tuple[Image.Image, Image.Image]:
    """Masks (handset + remaining pie, used slice) at ``size``, centred, ``margin`` on each side.

    The glyph is drawn once to measure how much of its unit square it covers, then again at the
    scale that makes its larger side span ``size * (1 - 2 * margin)``. The slice gap is kept at
    least 1.5 final pixels wide so that it survives at 32x32.
    """
    big = size * SCALE
    target = big * (1 - 2 * margin)

    def render(glyph_box: int) -> tuple[Image.Image, Image.Image]:
        handset = _handset_mask(glyph_box)
        remaining, used = _pie_masks(glyph_box, gap_px=max(SLICE_GAP * glyph_box, 1.5 * SCALE))
        return ImageChops.lighter(handset, remaining), used

    probe_main, probe_used = render(big)
    box = ImageChops.lighter(probe_main, probe_used).getbbox()
    assert box is not None  # the glyph draws something
    left, top, right, bottom = box
    glyph_box = round(big * target / max(right - left, bottom - top))
    main, used = render(glyph_box)
    box = ImageChops.lighter(main, used).getbbox()
    assert box is not None
    left, top, right, bottom = box
    # Centre the drawn shape itself (not its unit square) on the canvas.
    dx = (big - (right - left)) // 2 - left
    dy = (big - (bottom - top)) // 2 - top
    canvas_main = Image.new("L", (big, big), 0)
    canvas_used = Image.new("L", (big, big), 0)
    canvas_main.paste(main, (dx, dy))
    canvas_used.paste(used, (dx, dy))
    return canvas_main, canvas_used


def _gradient(size: int) -> Image.Image:
    """A diagonal gradient from the top-left colour to the bottom-right one."""
    image = Image.new("RGB", (size, size))
    pixels = image.load()
    assert pixels is not None  # a new in-memory image is loaded
    for y in range(size):
        for x in range(size):
            t = (x + y) / (2 * (size - 1))
            pixels[x, y] = tuple(
                round(a + (b - a) * t) for a, b in zip(GRADIENT_TOP_LEFT, GRADIENT_BOTTOM_RIGHT, strict=True)
            )
    return image


def draw_color() -> Image.Image:
    """The 192x192 full-colour icon: white glyph, amber used slice, on the gradient."""
    main, used = _glyph_masks(COLOR_SIZE, margin=0.22)
    big = COLOR_SIZE * SCALE
    image = _gradient(COLOR_SIZE).resize((big, big), Image.Resampling.BILINEAR)
    image.paste(Image.new("RGB", (big, big), WHITE), mask=main)
    image.paste(Image.new("RGB", (big, big), USED_SLICE), mask=used)
    return image.resize((COLOR_SIZE, COLOR_SIZE), Image.Resampling.LANCZOS)


def draw_outline() -> Image.Image:
    """The 32x32 outline icon: the same glyph, pure white, on a transparent background."""
    main, used = _glyph_masks(OUTLINE_SIZE, margin=0.03)
    alpha = ImageChops.lighter(main, used).resize((OUTLINE_SIZE, OUTLINE_SIZE), Image.Resampling.BOX)
    image = Image.new("RGBA", (OUTLINE_SIZE, OUTLINE_SIZE), (*WHITE, 0))
    image.putalpha(alpha)
    return image


def main(out_dir: Path = ICONS_DIR) -> int:
    out_dir.mkdir(parents=True, exist_ok=True)
    draw_color().save(out_dir / "color.png", optimize=True)
    draw_outline().save(out_dir / "outline.png", optimize=True)
    print(f"wrote {out_dir / 'color.png'} and {out_dir / 'outline.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else ICONS_DIR))
