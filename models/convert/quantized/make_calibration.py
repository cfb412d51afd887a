#!/usr/bin/env python3
"""Landmark-model inputs for int8 calibration, from frames of the shared clips.
For every clip with a MediaPipe reference (SHARED/reference/NAME.mediapipe-full.jsonl), N frames
spread evenly over its detected frames are decoded (ffmpeg, rgb24) and cropped the way the pose
graph crops for the landmark model, with MediaPipe's own landmarks standing in for its aux points:
centre = mid-hip, rotation so mid-hip -> mid-shoulder points up, side = 2 x 1.25 x (largest
distance from the mid-hip to a landmark); bilinear, edge pixels repeated; 256x256 RGB in [0, 1].
Usage: python make_calibration.py SHARED_DIR OUT.npy [N_PER_CLIP=20]
"""
import json, math, os, subprocess, sys
import numpy as np

shared, out = sys.argv[1], sys.argv[2]
per_clip = int(sys.argv[3]) if len(sys.argv) > 3 else 20
SIDE = 256


def crop(img, cx, cy, size, rot):
    h, w, _ = img.shape
    g = ((np.arange(SIDE) + 0.5) / SIDE - 0.5) * size
    x, y = np.meshgrid(g, g)
    c, s = math.cos(rot), math.sin(rot)
    X = np.clip(cx + c * x - s * y - 0.5, 0, w - 1)
    Y = np.clip(cy + s * x + c * y - 0.5, 0, h - 1)
    x0, y0 = np.floor(X).astype(int), np.floor(Y).astype(int)
    x1, y1 = np.minimum(x0 + 1, w - 1), np.minimum(y0 + 1, h - 1)
    fx, fy = (X - x0)[..., None], (Y - y0)[..., None]
    im = img.astype(np.float32)
    top = im[y0, x0] * (1 - fx) + im[y0, x1] * fx
    bot = im[y1, x0] * (1 - fx) + im[y1, x1] * fx
    return ((top * (1 - fy) + bot * fy) / 255.0).astype(np.float32)


samples = []
refdir = os.path.join(shared, "reference")
for ref in sorted(n for n in os.listdir(refdir) if n.endswith(".mediapipe-full.jsonl")):
    name = ref[: -len(".mediapipe-full.jsonl")]
    video = os.path.join(shared, "videos", name + ".mp4")
    if not os.path.isfile(video):
        continue
    lines = [json.loads(l) for l in open(os.path.join(refdir, ref)) if l.strip()]
    head = next(l for l in lines if l.get("type") == "header")
    w, h = head["width"], head["height"]
    frames = {l["frame"]: l["landmarks"] for l in lines if l.get("type", "frame") == "frame" and l["detected"]}
    det = sorted(frames)
    pick = set(det[int(i)] for i in np.linspace(0, len(det) - 1, per_clip)) if det else set()
    p = subprocess.Popen(["ffmpeg", "-v", "error", "-i", video, "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    i = 0
    while pick:
        buf = p.stdout.read(w * h * 3)
        if len(buf) < w * h * 3:
            break
        if i in pick:
            pick.discard(i)
            lm = np.array([[q[0], q[1]] for q in frames[i]], dtype=np.float64)
            c = (lm[23] + lm[24]) / 2
            sh = (lm[11] + lm[12]) / 2
            rot = math.pi / 2 - math.atan2(-(sh[1] - c[1]), sh[0] - c[0])
            rot = (rot + math.pi) % (2 * math.pi) - math.pi
            size = 2 * 1.25 * np.max(np.hypot(*(lm - c).T))
            samples.append(crop(np.frombuffer(buf, np.uint8).reshape(h, w, 3), c[0], c[1], size, rot))
        i += 1
    p.stdout.close(); p.wait()
    print(f"{name}: {w}x{h}, {len(det)} detected frames, took {per_clip - len(pick)}", flush=True)
arr = np.stack(samples)[:, None]  # N x 1 x 256 x 256 x 3
np.save(out, arr)
print(f"{out}: {arr.shape}, mean {arr.mean():.3f}")
