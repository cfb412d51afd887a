"""The peer side of `formcheck bench --mediapipe PYTHON`: MediaPipe Pose (legacy solution API, the
same BlazePose weights) run on the same clip, timed the same way as formcheck's end-to-end loop:
decode (cv2.VideoCapture.read) + BGR->RGB + pose.process. Prints one JSON object on stdout.

usage: PYTHON mediapipe_peer.py VIDEO MODEL_COMPLEXITY ROUNDS
"""
import json
import resource
import statistics
import sys
import time

import cv2
import mediapipe as mp


def main():
    video, complexity, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    decode_ms, pose_ms, total_ms = [], [], []
    frames = detected = 0
    wall = 0.0
    for _ in range(rounds):
        cap = cv2.VideoCapture(video)
        if not cap.isOpened():
            raise SystemExit(f"cannot open {video}")
        with mp.solutions.pose.Pose(static_image_mode=False, model_complexity=complexity,
                                    smooth_landmarks=True, enable_segmentation=False,
                                    min_detection_confidence=0.5,
                                    min_tracking_confidence=0.5) as pose:
            # The first process() call builds the graph: time it apart from the loop.
            first = True
            while True:
                t0 = time.perf_counter()
                ok, frame = cap.read()
                t1 = time.perf_counter()
                if not ok:
                    break
                rgb = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
                t2 = time.perf_counter()
                res = pose.process(rgb)
                t3 = time.perf_counter()
                if first:
                    first = False
                    continue
                decode_ms.append((t1 - t0) * 1e3)
                pose_ms.append((t3 - t2) * 1e3)
                total_ms.append((t3 - t0) * 1e3)
                wall += t3 - t0
                frames += 1
                detected += res.pose_landmarks is not None
        cap.release()
    med = lambda xs: round(statistics.median(xs), 3) if xs else None
    print(json.dumps({
        "mediapipe": mp.__version__,
        "opencv": cv2.__version__,
        "frames": frames,
        "detected": detected,
        "fps": round(frames / wall, 2) if wall > 0 else None,
        "median_decode_ms": med(decode_ms),
        "median_pose_ms": med(pose_ms),
        "median_total_ms": med(total_ms),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }))


if __name__ == "__main__":
    main()
