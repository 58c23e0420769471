#!/usr/bin/python3
"""make_images.py — writes the seed corpus of the image fuzz target (tests/fuzz/corpus/image/).

Tiny files in every format and pixel layout stb_image handles for us (PNG grey / grey+alpha /
RGB / RGBA / palette / 16-bit / Adam7, baseline and progressive JPEG, BMP 8/24/32-bit, still and
animated GIF with transparency), odd sizes so the centre crop has work to do, a few broken files,
and raw inputs for fit_square mode (4 header bytes + pixels). Needs Pillow (Debian:
python3-pil):  /usr/bin/python3 tests/fuzz/make_images.py
"""
import io
import os
import struct
import zlib

from PIL import Image

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "image")


def pattern(mode, w, h):
    im = Image.new(mode, (w, h))
    bands = len(im.getbands())
    data = []
    for y in range(h):
        for x in range(w):
            v = [(x * 53 + y * 31 + b * 71) % 256 for b in range(bands)]
            if mode in ("LA", "RGBA"):
                v[-1] = 0 if (x + y) % 3 == 0 else 255 - x * 9
            data.append(tuple(v) if bands > 1 else v[0])
    im.putdata(data)
    return im


def save(name, im, fmt, **kw):
    buf = io.BytesIO()
    im.save(buf, fmt, **kw)
    write(name, buf.getvalue())
    return buf.getvalue()


def write(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


def png_by_hand(w, h, depth, colour, interlace, px):
    """PNGs Pillow does not write: 16-bit grey and Adam7-interlaced. px(x, y) -> pixel bytes."""
    passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
    raw = b""
    for x0, y0, dx, dy in (passes if interlace else [(0, 0, 1, 1)]):
        xs, ys = range(x0, w, dx), range(y0, h, dy)
        if len(xs) and len(ys):
            raw += b"".join(b"\0" + b"".join(px(x, y) for x in xs) for y in ys)

    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, colour, 0, 0, interlace)) +
            chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def main():
    os.makedirs(OUT, exist_ok=True)
    save("grey_5x3.png", pattern("L", 5, 3), "PNG")
    save("grey_alpha_4x6.png", pattern("LA", 4, 6), "PNG")
    rgb = save("rgb_7x5.png", pattern("RGB", 7, 5), "PNG")
    save("rgba_3x3.png", pattern("RGBA", 3, 3), "PNG")
    save("palette_6x4.png", pattern("RGB", 6, 4).convert("P", palette=Image.ADAPTIVE, colors=5), "PNG")
    write("interlaced_9x7.png", png_by_hand(9, 7, 8, 2, 1, lambda x, y: bytes([x * 28, y * 36, (x * y * 5) % 256])))
    write("grey16_4x4.png", png_by_hand(4, 4, 16, 0, 0, lambda x, y: struct.pack(">H", (x * 4111 + y * 977) & 0xFFFF)))
    save("grey_1x1.png", pattern("L", 1, 1), "PNG")
    save("rgb_9x6.jpg", pattern("RGB", 9, 6), "JPEG", quality=80)
    save("grey_8x8.jpg", pattern("L", 8, 8), "JPEG", quality=90)
    save("progressive_17x9.jpg", pattern("RGB", 17, 9), "JPEG", quality=75, progressive=True)
    save("subsampled_16x16.jpg", pattern("RGB", 16, 16), "JPEG", quality=60, subsampling=2)
    save("rgb_5x4.bmp", pattern("RGB", 5, 4), "BMP")
    save("palette_7x3.bmp", pattern("RGB", 7, 3).convert("P", palette=Image.ADAPTIVE, colors=4), "BMP")
    save("rgba_3x5.bmp", pattern("RGBA", 3, 5), "BMP")
    save("grey_6x6.gif", pattern("L", 6, 6), "GIF")
    frames = [pattern("RGB", 5, 5).convert("P", palette=Image.ADAPTIVE, colors=4) for _ in range(2)]
    frames[1] = frames[1].rotate(90)
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:], transparency=0, duration=10, loop=0)
    write("animated_5x5.gif", buf.getvalue())
    # Broken: truncated PNG, bad zlib stream, headers claiming huge sizes, WebP signature, empty.
    write("broken_truncated.png", rgb[: len(rgb) // 2])
    write("broken_zlib.png", rgb[:41] + bytes(b ^ 0x5A for b in rgb[41:60]) + rgb[60:])
    write("broken_huge.png", rgb[:16] + struct.pack(">II", 100000, 100000) + rgb[24:])
    write("broken_wide.png", rgb[:16] + struct.pack(">II", 9000, 2) + rgb[24:])   # over the side cap only
    write("broken_webp.webp", b"RIFF\x1a\0\0\0WEBPVP8 " + bytes(14))
    write("broken_empty.bin", b"")
    # fit_square mode: width-1, height-1, source channels-1 (| 0x80 for RGB out), output size-1.
    for name, (w, h, c, rgb_out, size) in {"fit_5x3_rgba_to_rgb7.raw": (5, 3, 4, 1, 7),
                                          "fit_2x9_grey_to_grey28.raw": (2, 9, 1, 0, 28),
                                          "fit_11x11_rgb_to_grey3.raw": (11, 11, 3, 0, 3)}.items():
        head = bytes([w - 1, h - 1, (c - 1) | (0x80 if rgb_out else 0), size - 1])
        write(name, head + bytes((i * 67 + 5) % 256 for i in range(w * h * c)))


if __name__ == "__main__":
    main()
