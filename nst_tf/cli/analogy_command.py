"""`nst-tf analogy S S_STYLED T -o T_STYLED`: image analogies S : S' :: T : T' (Liao et al.
2017; text effects after Yang et al. 2017)."""

from absl import flags

from nst_tf import tf_startup
from nst_tf.cli import common

SIZE = 256


def define_flags():
    """The flags of `nst-tf analogy`."""
    from nst_tf.analogy import analogy, guidance

    fv = flags.FlagValues()
    flags.DEFINE_string("output", None, "Output image T'.", short_name="o", flag_values=fv)
    flags.DEFINE_integer(
        "size",
        SIZE,
        "Longest side of S and S' at work, px; T is scaled by the same factor.",
        lower_bound=16,
        flag_values=fv,
    )
    flags.DEFINE_integer(
        "iterations",
        analogy.ITERATIONS,
        "L-BFGS iterations reconstructing T' from the carried VGG features (0: patch voting only).",
        lower_bound=0,
        flag_values=fv,
    )
    flags.DEFINE_enum(
        "guidance",
        "auto",
        list(guidance.GUIDANCE_CHOICES),
        "Structure guidance of the matching: 'text' adds the glyph masks and their distance "
        "transforms; 'auto' uses it when S and T look like two-tone text.",
        flag_values=fv,
    )
    flags.DEFINE_integer(
        "seed", 0, "Seed of PatchMatch's random search.", lower_bound=0, flag_values=fv
    )
    flags.DEFINE_string(
        "vgg-weights", None, "VGG16 weights, as for 'stylize' (--vgg-weights).", flag_values=fv
    )
    flags.DEFINE_bool("quiet", False, "No progress bar.", flag_values=fv)
    return fv


def run(values, source_path, styled_path, target_path):
    """Runs `nst-tf analogy`: checks everything, then computes and writes T'."""
    from nst_tf.analogy import analogy
    from nst_tf.io import image_io

    output = common.require_output(values)
    image_io.check_writable_image_path(output)
    source, styled, target = (
        image_io.load_image(path) for path in (source_path, styled_path, target_path)
    )
    analogy.check_aligned(source, styled)
    tf_startup.import_tensorflow_quietly()
    result = analogy.image_analogy(
        source,
        styled,
        target,
        size=values["size"],
        iterations=values["iterations"],
        guidance=values["guidance"],
        vgg_weights=common.weights_choice(values["vgg_weights"]),
        progress=not values["quiet"],
        seed=values["seed"],
    )
    image_io.save_image(output, result.image)
    height, width = result.image.shape[:2]
    guided = "text guidance" if result.text_guidance else "no guidance"
    print(f"wrote {output} ({width}x{height}, {guided}) in {result.seconds:.1f} s")


COMMAND = common.Command(
    define_flags,
    ("S", "S_STYLED", "T"),
    "Image analogy: make T_STYLED, which is to T as S_STYLED is to S (text effects).",
    run,
)
