"""The shared face model is used by several threads at once (two job workers, a web worker's
threads): three threads detecting, aligning and embedding faces together for a few seconds
must neither crash the process nor change a single embedding. Without the model's lock, dlib
corrupted its heap within a second (a segmentation fault, or `free(): corrupted unsorted
chunks` in the job consumer under bench/soak.py). Run in a process of its own, so that a crash
fails this test instead of ending the run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

FOLDER = Path(__file__).resolve().parent
PROGRAM = """
import sys, threading, time
import numpy as np
from PIL import Image
from homeward.matching.face.model import default_model

model = default_model()
photos = [np.asarray(Image.open(path).convert("RGB")) for path in sys.argv[1:]]

def faces(rgb):
    found = []
    for face in model.detect(rgb):
        marks = model.landmarks(rgb, face.box)
        found.append(model.embed(model.align(rgb, face.box, marks)))
    return found

alone = [faces(rgb) for rgb in photos]  # one thread: the reference
differ, stop = [], time.monotonic() + 6

def work(k):
    n = 0
    while time.monotonic() < stop:
        i = (n + k) % len(photos)
        got = faces(photos[i])
        if len(got) != len(alone[i]) or any((a != b).any() for a, b in zip(got, alone[i])):
            differ.append(i)
        n += 1

threads = [threading.Thread(target=work, args=(k,)) for k in range(3)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("differ", len(differ))
"""


def test_three_threads_share_the_face_model_without_crashing_or_changing_a_face():
    photos = sorted(str(p) for p in (FOLDER / ".cache").glob("*.jpg"))
    photos += [str(FOLDER / "images" / "grace_hopper.jpg")]
    assert len(photos) >= 3, "run scripts/fetch_test_faces.py"
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM, *photos], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, f"the process died ({done.returncode}): {done.stderr[-500:]}"
    assert done.stdout.split() == ["differ", "0"]
