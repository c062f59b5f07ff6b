"""Default avatars: a symmetric 5x5 pattern drawn from a hash of the user's id.

The picture is made here, so no third-party service learns who reads which page, and the
same id always gives the same picture.
"""

import hashlib

GRID = 5
BACKGROUND = "#f3f1ec"


def _colour(digest: bytes) -> str:
    hue = int.from_bytes(digest[:2], "big") % 360
    saturation = 45 + digest[2] % 20
    lightness = 38 + digest[3] % 14
    return f"hsl({hue},{saturation}%,{lightness}%)"


def identicon_cells(seed: int | str) -> list[tuple[int, int]]:
    """Return the filled (column, row) cells for a seed; the pattern mirrors left-right."""
    digest = hashlib.sha256(f"shortscience-avatar:{seed}".encode()).digest()
    bits = int.from_bytes(digest[4:8], "big")
    half = (GRID + 1) // 2
    cells = []
    for column in range(half):
        for row in range(GRID):
            if bits >> (column * GRID + row) & 1:
                cells.append((column, row))
                if column != GRID - 1 - column:
                    cells.append((GRID - 1 - column, row))
    return sorted(cells)


def identicon_svg(seed: int | str, *, size: int = 80) -> str:
    """Return the SVG document of the avatar for a seed (the user's id)."""
    digest = hashlib.sha256(f"shortscience-avatar:{seed}".encode()).digest()
    colour = _colour(digest)
    cells = identicon_cells(seed)
    rects = "".join(f'<rect x="{x}" y="{y}" width="1" height="1"/>' for x, y in cells)
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" '
        f'width="{size}" height="{size}" viewBox="-0.5 -0.5 6 6" '
        'shape-rendering="crispEdges" role="img" aria-label="avatar">'
        f'<rect x="-0.5" y="-0.5" width="6" height="6" fill="{BACKGROUND}"/>'
        f'<g fill="{colour}">{rects}</g>'
        "</svg>"
    )
