#!/usr/bin/env bash
# Usage: quantize.sh OUTDIR [SHARED_DIR]
# Makes the landmark-model variants of issue 15 from the shipped models/pose_landmark_full.tflite
# (MediaPipe's own: fp16 weights behind DEQUANTIZE ops) with pinned PyPI packages, offline except PyPI:
#   pose_landmark_full.fp32.tflite  fp16 constants folded to fp32 (exact: same outputs bit for bit)
#   pose_landmark_full.dri8.tflite  dynamic range: int8 channelwise weights, float activations
#                                   (ai-edge-quantizer recipe dynamic_wi8_afp32)
#   pose_landmark_full.int8.tflite  full int8: int8 weights and activations (static_wi8_ai8),
#                                   calibrated on 20 crops from each clip in SHARED_DIR (default
#                                   ../../../../shared) that has a MediaPipe reference; float32 input
#                                   and outputs kept under the shipped names (QUANTIZE/DEQUANTIZE
#                                   added at the edges)
#   pose_landmark_full.int8h.tflite the same with the output heads (landmark/world/flag/heatmap
#                                   convs) left float: quantize.py static ... --float-heads
# then prints their sha256. Needs python3.11, ffmpeg, ~400 MB of venv, ~1 minute.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$(mkdir -p "${1:?usage: quantize.sh OUTDIR [SHARED_DIR]}" && cd "$1" && pwd)
shared=$(cd "${2:-$here/../../../../shared}" && pwd)
src="$here/../../pose_landmark_full.tflite"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
python3.11 -m venv "$work/venv"
"$work/venv/bin/pip" install -q "ai-edge-quantizer==0.10.0" "ai-edge-litert==2.3.0" \
    "numpy==2.4.6" "flatbuffers==25.12.19"
py="$work/venv/bin/python"
"$py" "$here/quantize.py" fp32 "$src" "$out/pose_landmark_full.fp32.tflite"
"$py" "$here/quantize.py" dynamic "$out/pose_landmark_full.fp32.tflite" "$out/pose_landmark_full.dri8.tflite"
"$py" "$here/make_calibration.py" "$shared" "$work/calib.npy" 20
"$py" "$here/quantize.py" static "$out/pose_landmark_full.fp32.tflite" "$work/calib.npy" \
    "$out/pose_landmark_full.int8.tflite"
"$py" "$here/quantize.py" static "$out/pose_landmark_full.fp32.tflite" "$work/calib.npy" \
    "$out/pose_landmark_full.int8h.tflite" --float-heads
cd "$out" && sha256sum pose_landmark_full.*.tflite
