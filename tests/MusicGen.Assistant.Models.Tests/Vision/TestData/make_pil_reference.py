#!/usr/bin/python3
"""Writes pil_reference.json: expected outputs of PIL (Pillow) resizing and RGB conversion, and of the Hugging Face
ViT / ViViT image-processor arithmetic, for synthetic images the C# tests rebuild from the same formula.

Run with Debian's python3-pil and python3-numpy:  /usr/bin/python3 make_pil_reference.py
The processor steps below restate transformers 4.40's image_transforms (resize through PIL.Image.resize,
center_crop, rescale: uint8 * factor in float64 then float32, ViViT offset: float32 - 1, normalize: float32
(x - mean) / std, channels first); transformers itself is not installable here.
"""
import base64
import json
import math

import numpy as np
import PIL
from PIL import Image

MODES = {"Gray8": "L", "GrayAlpha16": "LA", "Rgb24": "RGB", "Rgba32": "RGBA"}
CHANNELS = {"Gray8": 1, "GrayAlpha16": 2, "Rgb24": 3, "Rgba32": 4}


def pattern(width, height, channels, seed):
    y, x, c = np.meshgrid(np.arange(height), np.arange(width), np.arange(channels), indexing="ij")
    v = (x * 37 + y * 61 + c * 97 + seed * 13 + ((x * y) % 7) * 29) % 256
    return v.astype(np.uint8)


def image(spec):
    arr = pattern(spec["width"], spec["height"], CHANNELS[spec["format"]], spec["seed"])
    mode = MODES[spec["format"]]
    return Image.fromarray(arr[:, :, 0] if mode == "L" else arr, mode)


def b64(arr):
    return base64.b64encode(np.ascontiguousarray(arr).tobytes()).decode("ascii")


def center_crop(arr, ch, cw):
    h, w = arr.shape[:2]
    top, left = (h - ch) // 2, (w - cw) // 2
    bottom, right = top + ch, left + cw
    if top >= 0 and bottom <= h and left >= 0 and right <= w:
        return arr[top:bottom, left:right]
    nh, nw = max(ch, h), max(cw, w)
    canvas = np.zeros((nh, nw) + arr.shape[2:], dtype=arr.dtype)
    tp, lp = math.ceil((nh - h) / 2), math.ceil((nw - w) / 2)
    canvas[tp:tp + h, lp:lp + w] = arr
    top, bottom, left, right = top + tp, bottom + tp, left + lp, right + lp
    return canvas[max(0, top):min(nh, bottom), max(0, left):min(nw, right)]


def finish(arr, s, offset=False):
    x = arr
    if s.get("do_rescale", True):
        x = (x * s["rescale_factor"]).astype(np.float32)
        if offset:
            x = x - 1
    if s.get("do_normalize", True):
        x = x.astype(np.float32)
        x = (x - np.array(s["image_mean"], dtype=np.float32)) / np.array(s["image_std"], dtype=np.float32)
    return x.astype(np.float32).transpose(2, 0, 1)


def vit(images, s):
    out = []
    for spec in images:
        im = image(spec).convert("RGB")
        size = s["size"]
        h, w = (size, size) if isinstance(size, int) else (size["height"], size["width"])
        out.append(finish(np.array(im.resize((w, h), resample=s["resample"])), s))
    return np.stack(out)


def shortest_edge(h, w, edge):
    short, long = (w, h) if w <= h else (h, w)
    new_long = int(edge * long / short)
    return (new_long, edge) if w <= h else (edge, new_long)


def vivit(frames, s):
    out = []
    for spec in frames:
        im = image(spec).convert("RGB")
        if s.get("do_resize", True):
            h, w = shortest_edge(im.height, im.width, s["size"]["shortest_edge"])
            im = im.resize((w, h), resample=s["resample"])
        arr = np.array(im)
        crop = s["crop_size"]
        arr = center_crop(arr, crop["height"], crop["width"])
        out.append(finish(arr, s, offset=s["offset"]))
    return np.stack(out)[None]


resize_cases = []
for (w, h, ow, oh) in [(37, 23, 16, 11), (16, 11, 37, 23), (20, 10, 20, 5), (20, 10, 7, 10), (90, 60, 48, 40), (5, 3, 1, 1)]:
    for f in range(6):
        spec = {"width": w, "height": h, "format": "Rgb24", "seed": f + 1}
        out = np.array(image(spec).resize((ow, oh), resample=f))
        resize_cases.append({**spec, "out_width": ow, "out_height": oh, "filter": f, "expected": b64(out)})

convert_cases = []
for fmt in ["Gray8", "GrayAlpha16", "Rgba32"]:
    spec = {"width": 7, "height": 5, "format": fmt, "seed": 3}
    convert_cases.append({**spec, "expected": b64(np.array(image(spec).convert("RGB")))})

vit_settings = {"do_resize": True, "size": {"height": 16, "width": 12}, "resample": 2, "do_rescale": True,
                "rescale_factor": 1 / 255, "do_normalize": True, "image_mean": [0.485, 0.456, 0.406],
                "image_std": [0.229, 0.224, 0.225]}
vit_images = [{"width": 45, "height": 31, "format": "Rgb24", "seed": 5},
              {"width": 9, "height": 20, "format": "Gray8", "seed": 6},
              {"width": 12, "height": 16, "format": "Rgba32", "seed": 7}]
vit_cube = {"do_resize": True, "size": 8, "resample": 3, "image_mean": 0.5, "image_std": 0.5, "rescale_factor": 1 / 255}
vivit_settings = {"do_resize": True, "size": {"shortest_edge": 20}, "resample": 2, "do_center_crop": True,
                  "crop_size": {"height": 16, "width": 16}, "do_rescale": True, "rescale_factor": 1 / 127.5,
                  "offset": True, "do_normalize": True, "image_mean": [0.5, 0.5, 0.5], "image_std": [0.5, 0.5, 0.5]}
vivit_frames = [{"width": 40, "height": 26, "format": "Rgb24", "seed": s} for s in (8, 9, 10)]
vivit_pad = {"do_resize": False, "do_center_crop": True, "crop_size": {"height": 14, "width": 10}, "do_rescale": True,
             "rescale_factor": 1 / 255, "offset": False, "do_normalize": False, "image_mean": [0.5] * 3,
             "image_std": [0.5] * 3, "resample": 2, "size": {"shortest_edge": 20}}
vivit_pad_frames = [{"width": 13, "height": 9, "format": "Rgb24", "seed": 11}]

processors = [
    {"processor": "vit", "settings": vit_settings, "images": vit_images},
    {"processor": "vit", "settings": vit_cube, "images": vit_images[:1]},
    {"processor": "vivit", "settings": vivit_settings, "images": vivit_frames},
    {"processor": "vivit", "settings": vivit_pad, "images": vivit_pad_frames},
]
for p in processors:
    fn = vit if p["processor"] == "vit" else vivit
    s = dict(p["settings"])
    s.setdefault("rescale_factor", 1 / 255)
    values = fn(p["images"], s)
    p["expected_shape"] = list(values.shape)
    p["expected"] = b64(values.astype("<f4"))

doc = {
    "generator": "make_pil_reference.py",
    "pillow": PIL.__version__,
    "numpy": np.__version__,
    "pattern": "value(x, y, c) = (x*37 + y*61 + c*97 + seed*13 + ((x*y) % 7)*29) % 256, rows top to bottom, channels interleaved",
    "resize": resize_cases,
    "convert": convert_cases,
    "processors": processors,
}
with open("pil_reference.json", "w") as f:
    json.dump(doc, f, indent=1)
