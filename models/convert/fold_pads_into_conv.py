#!/usr/bin/env python3
"""Fold each zero-constant spatial Pad that feeds only a Conv into that Conv's own `pads`
(TF's asymmetric "SAME" padding becomes explicit Pad layers in tf2onnx's output; OpenCV 4.6 runs
them as separate copies of the whole tensor). The outputs stay the same: a convolution's padding
is zeros, as the Pad's. Usage: fold_pads_into_conv.py in.onnx out.onnx"""
import sys
import numpy as np
import onnx
from onnx import numpy_helper, helper

model = onnx.load(sys.argv[1])
g = model.graph
inits = {i.name: i for i in g.initializer}
consumers = {}
for n in g.node:
    for i in n.input:
        consumers.setdefault(i, []).append(n)
folded = 0
for pad in [n for n in g.node if n.op_type == "Pad"]:
    attrs = {a.name: helper.get_attribute_value(a) for a in pad.attribute}
    mode = attrs.get("mode", b"constant")
    if mode not in (b"constant", "constant"):
        continue
    if len(pad.input) < 2 or pad.input[1] not in inits:
        continue
    pads = numpy_helper.to_array(inits[pad.input[1]]).astype(np.int64)
    if len(pad.input) > 2 and pad.input[2]:
        if pad.input[2] not in inits or numpy_helper.to_array(inits[pad.input[2]]).any():
            continue
    users = consumers.get(pad.output[0], [])
    if len(users) != 1 or users[0].op_type != "Conv" or (pads < 0).any():
        continue
    # NCHW: pads = [n0, c0, h0, w0, n1, c1, h1, w1]; only H and W may be padded.
    if pads[0] or pads[1] or pads[4] or pads[5]:
        continue
    conv = users[0]
    cattrs = {a.name: a for a in conv.attribute}
    if "auto_pad" in cattrs and helper.get_attribute_value(cattrs["auto_pad"]) not in (b"NOTSET", "NOTSET"):
        continue
    old = list(helper.get_attribute_value(cattrs["pads"])) if "pads" in cattrs else [0, 0, 0, 0]
    new = [old[0] + int(pads[2]), old[1] + int(pads[3]), old[2] + int(pads[6]), old[3] + int(pads[7])]
    for a in list(conv.attribute):
        if a.name == "pads":
            conv.attribute.remove(a)
    conv.attribute.append(helper.make_attribute("pads", new))
    conv.input[0] = pad.input[0]
    g.node.remove(pad)
    folded += 1
# No onnx.checker: these files are already OpenCV-4.6-flavoured (Clip with attributes).
onnx.save(model, sys.argv[2])
print(f"{sys.argv[1]}: folded {folded} Pad nodes into Conv -> {sys.argv[2]}")
