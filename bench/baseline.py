"""The baseline: plain dlib exactly as the `face_recognition` package uses it by default
(``face_locations``: HOG, upsampled once; ``face_encodings``: the 5-point "small" landmarks, one
descriptor, no jitter; euclidean distance)."""

from __future__ import annotations

import time
from pathlib import Path

import dlib
import numpy as np
from PIL import Image

from bench.corpus import Photo
from bench.embed import Embedded
from reunite.adapters.faces.dlib_engine import _model_path


def embed_baseline(photos: list[Photo]) -> Embedded:
    detector = dlib.get_frontal_face_detector()
    shape = dlib.shape_predictor(_model_path("shape_predictor_5_face_landmarks.dat"))
    net = dlib.face_recognition_model_v1(_model_path("dlib_face_recognition_resnet_model_v1.dat"))
    vectors: dict[Path, np.ndarray] = {}
    no_face, faces = [], 0
    start = time.perf_counter()
    for photo in photos:
        pixels = np.asarray(Image.open(photo.path).convert("RGB"))  # face_recognition.load_image_file
        rects = detector(pixels, 1)  # face_recognition's number_of_times_to_upsample=1
        faces += len(rects)
        if not rects:
            no_face.append(photo.path)
            continue
        rect = max(rects, key=lambda r: r.area())
        vectors[photo.path] = np.array(net.compute_face_descriptor(pixels, shape(pixels, rect), 1))
    return Embedded(vectors, no_face, time.perf_counter() - start, faces)
