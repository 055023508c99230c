"""Image analogy quality against ground truth: the gallery's self-made text effect applied to
other words gives the true T', so the mean absolute error of each T' (pixel values 0-255) is a
measure; with and without text guidance, with and without the feature reconstruction.

  NST_TF_VGG_WEIGHTS=../shared/weights/vgg16_hed_bsds500_notop.h5 python -m tools.bench.bench_analogy

Prints a Markdown table and writes bench_results/bench_analogy.json.
"""

import os

import numpy as np

from nst_tf.analogy.analogy import image_analogy  # noqa: E402
from nst_tf.io import files  # noqa: E402
from tools import REPOSITORY
from tools.gallery.gallery_analogy import CANVAS, SOURCE_WORD, render_word, text_effect

WORDS = ("NEURAL", "KERAS")
SETTINGS = (("text", 0), ("none", 0), ("text", 30), ("none", 30))
OUTPUT = os.path.join(REPOSITORY, "bench_results", "bench_analogy.json")


def main():
    source = render_word(SOURCE_WORD)
    styled = text_effect(source)
    rows = []
    for guidance, iterations in SETTINGS:
        errors, seconds = [], []
        for word in WORDS:
            target = render_word(word)
            result = image_analogy(
                source, styled, target, size=CANVAS[0], iterations=iterations,
                guidance=guidance, progress=False,
            )  # fmt: skip
            errors.append(float(np.abs(result.image - text_effect(target)).mean()))
            seconds.append(result.seconds)
        rows.append({"guidance": guidance, "iterations": iterations,
                     "mean_abs_error": float(np.mean(errors)), "seconds": float(np.mean(seconds)),
                     "words": list(WORDS)})  # fmt: skip
    print("| guidance | iterations | mean abs error to true T' (0-255) | seconds per word |")
    print("| --- | --- | --- | --- |")
    for row in rows:
        print(f"| {row['guidance']} | {row['iterations']} | {row['mean_abs_error']:.1f} | "
              f"{row['seconds']:.1f} |")  # fmt: skip
    files.write_json(OUTPUT, {"size": list(CANVAS), "rows": rows})


if __name__ == "__main__":
    main()
