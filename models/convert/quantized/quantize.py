#!/usr/bin/env python3
"""Quantized variants of MediaPipe's pose_landmark_full.tflite, with ai-edge-quantizer.
  python quantize.py fp32    IN.tflite OUT.tflite            fp16 consts + DEQUANTIZE -> fp32 consts (exact)
  python quantize.py dynamic FP32.tflite OUT.tflite          int8 weights (channelwise), float activations
  python quantize.py static  FP32.tflite CALIB.npy OUT.tflite [--float-heads]
                                                            int8 weights + int8 activations (optionally
                                                            leaving the output heads float)
The quantizer needs a SignatureDef, which MediaPipe's file lacks: one ('serving_default') is added
that maps the input/output tensor names (input_1; Identity, Identity_1 .. Identity_4) to
themselves, and removed again from the result, so the output has the shipped model's I/O names,
order and float32 types.
"""
import sys
import flatbuffers
import numpy as np
from ai_edge_litert import schema_py_generated as s


def load(path_or_bytes):
    buf = open(path_or_bytes, 'rb').read() if isinstance(path_or_bytes, str) else bytes(path_or_bytes)
    m = s.ModelT.InitFromObj(s.Model.GetRootAsModel(buf, 0))
    for b in m.buffers:  # constants stored after the flatbuffer (offset/size): bring them inside
        if (b.offset or 0) > 1:
            b.data = np.frombuffer(buf[b.offset:b.offset + b.size], np.uint8)
            b.offset = b.size = 0
    return m


def pack(m):
    b = flatbuffers.Builder(1024)
    b.Finish(m.Pack(b), file_identifier=b'TFL3')
    return bytes(b.Output())


def fold_fp16(m):
    g = m.subgraphs[0]
    keep, folded = [], 0
    for op in g.operators:
        oc = m.operatorCodes[op.opcodeIndex]
        tin = g.tensors[op.inputs[0]]
        if max(oc.builtinCode, oc.deprecatedBuiltinCode) == s.BuiltinOperator.DEQUANTIZE \
                and tin.type == s.TensorType.FLOAT16 and tin.buffer and m.buffers[tin.buffer].data is not None:
            val = np.frombuffer(bytes(bytearray(m.buffers[tin.buffer].data)), '<f2').astype('<f4')
            b = s.BufferT(); b.data = np.frombuffer(val.tobytes(), np.uint8)
            m.buffers.append(b)
            t = g.tensors[op.outputs[0]]
            t.buffer, t.type = len(m.buffers) - 1, s.TensorType.FLOAT32
            folded += 1
        else:
            keep.append(op)
    g.operators = keep
    # drop the fp16 source tensors, now unused, and their data; renumber the rest
    used = sorted({int(i) for op in keep for i in list(op.inputs) + list(op.outputs) if i >= 0}
                  | {int(i) for i in g.inputs} | {int(i) for i in g.outputs})
    new = {old: k for k, old in enumerate(used)}
    for i, t in enumerate(g.tensors):
        if i not in new and t.buffer:
            m.buffers[t.buffer].data = None
    g.tensors = [g.tensors[i] for i in used]
    remap = lambda xs: np.array([new[int(i)] if i >= 0 else -1 for i in xs], dtype=np.int32)
    for op in keep:
        op.inputs, op.outputs = remap(op.inputs), remap(op.outputs)
    g.inputs, g.outputs = remap(g.inputs), remap(g.outputs)
    print(f"folded {folded} fp16 DEQUANTIZE ops, {len(keep)} ops left")
    return m


def with_signature(m):
    g = m.subgraphs[0]
    def tmap(i):
        t = s.TensorMapT(); t.name = g.tensors[i].name.decode(); t.tensorIndex = int(i); return t
    sig = s.SignatureDefT()
    sig.signatureKey, sig.subgraphIndex = 'serving_default', 0
    sig.inputs = [tmap(i) for i in g.inputs]
    sig.outputs = [tmap(i) for i in g.outputs]
    m.signatureDefs = [sig]
    return m


def io(m):
    g = m.subgraphs[0]
    return [(g.tensors[i].name.decode(), g.tensors[i].type, list(g.tensors[i].shape)) for i in list(g.inputs) + list(g.outputs)]


def opcode(m, code):
    for k, oc in enumerate(m.operatorCodes):
        if max(oc.builtinCode, oc.deprecatedBuiltinCode) == code:
            return k
    oc = s.OperatorCodeT(); oc.builtinCode = code; oc.deprecatedBuiltinCode = min(code, 127); oc.version = 1
    m.operatorCodes.append(oc)
    return len(m.operatorCodes) - 1


def float_interface(m):
    """Static int8 leaves the model's input and outputs int8; put float32 ones back in front
    (QUANTIZE) and behind (DEQUANTIZE), under the original names, as TF's converter does with
    inference_input_type/inference_output_type = float32."""
    g = m.subgraphs[0]
    def float_twin(i):
        t = g.tensors[i]
        f = s.TensorT(); f.name, f.shape, f.type, f.buffer = t.name, t.shape, s.TensorType.FLOAT32, 0
        if t.shapeSignature is not None:
            f.shapeSignature = t.shapeSignature
        t.name = t.name + b'_int8' if isinstance(t.name, bytes) else t.name + '_int8'
        g.tensors.append(f)
        return len(g.tensors) - 1
    def op(code, i, o):
        x = s.OperatorT(); x.opcodeIndex = opcode(m, code)
        x.inputs, x.outputs = np.array([i], np.int32), np.array([o], np.int32)
        return x
    pre, post = [], []
    ins, outs = list(g.inputs), list(g.outputs)
    for k, i in enumerate(ins):
        if g.tensors[i].type != s.TensorType.FLOAT32:
            f = float_twin(i); pre.append(op(s.BuiltinOperator.QUANTIZE, f, i)); ins[k] = f
    for k, i in enumerate(outs):
        if g.tensors[i].type != s.TensorType.FLOAT32:
            f = float_twin(i); post.append(op(s.BuiltinOperator.DEQUANTIZE, i, f)); outs[k] = f
    g.operators = pre + list(g.operators) + post
    g.inputs, g.outputs = np.array(ins, np.int32), np.array(outs, np.int32)


def quantize(fp32_path, recipe, calib=None):
    from ai_edge_quantizer import quantizer
    src = load(fp32_path)
    qt = quantizer.Quantizer(pack(with_signature(load(fp32_path))))
    qt.load_quantization_recipe(recipe)
    result = None
    if qt.need_calibration:
        data = {'serving_default': [{'input_1': x.astype(np.float32)} for x in calib]}
        result = qt.calibrate(data, num_threads=2)
    q = load(qt.quantize(result).quantized_model)
    q.signatureDefs = []
    float_interface(q)
    if io(q) != io(src):
        sys.exit(f"I/O changed:\n {io(src)}\n {io(q)}")
    return pack(q)


HEADS = r'convld_3d|convworld_3d|conv_poseflag|activation_poseflag|^Identity'


def main():
    mode = sys.argv[1]
    from ai_edge_quantizer import recipe
    if mode == 'fp32':
        out = pack(fold_fp16(load(sys.argv[2])))
        dst = sys.argv[3]
    elif mode == 'dynamic':
        out = quantize(sys.argv[2], recipe.dynamic_wi8_afp32())
        dst = sys.argv[3]
    elif mode == 'static':
        r = recipe.static_wi8_ai8()
        if '--float-heads' in sys.argv[5:]:
            # the output heads stay float: 1x1 convs to the 195 landmark values (x, y in crop
            # pixels, z, visibility/presence logits share one int8 scale otherwise), the world
            # landmarks, the pose flag, and the heatmap conv (Identity_3)
            r = r + [{'regex': HEADS, 'operation': '*', 'algorithm_key': 'no_quantize'}]
        out = quantize(sys.argv[2], r, np.load(sys.argv[3]))
        dst = sys.argv[4]
    else:
        sys.exit(__doc__)
    open(dst, 'wb').write(out)
    print(f"{mode} -> {dst} ({len(out)} bytes)")


if __name__ == '__main__':
    main()
