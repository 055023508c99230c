"""`nst-tf styles`: the shipped networks and their styles, and a contact sheet of them."""

from absl import flags

from nst_tf.cli import common, engine_flag
from nst_tf.errors import NstError


def define_flags():
    """The flags of `nst-tf styles`."""
    fv = flags.FlagValues()
    flags.DEFINE_string(
        "sheet",
        None,
        "A photo: write it in every style of --model, side by side, to --output.",
        flag_values=fv,
    )
    flags.DEFINE_string(
        "model", "magenta26", "The network whose styles the sheet shows.", flag_values=fv
    )
    flags.DEFINE_string("output", None, "The contact sheet image.", short_name="o", flag_values=fv)
    flags.DEFINE_integer(
        "tile", 192, "Longest side of each cell, px.", lower_bound=16, flag_values=fv
    )
    flags.DEFINE_integer("columns", 7, "Cells per row.", lower_bound=1, flag_values=fv)
    engine_flag.define_engine_flag(fv)
    return fv


def run(values):
    """Runs `nst-tf styles`: lists the styles, or writes a contact sheet with --sheet."""
    from nst_tf.io import image_io

    if values["sheet"] is None:
        _list_styles()
        return
    output = common.require_output(values)
    image_io.check_writable_image_path(output)
    photo = image_io.load_image(values["sheet"])
    from nst_tf.feedforward import sheets, styles

    style_model = styles.load_style_network(values["model"], values["engine"])
    if len(style_model.style_names) < 2:
        raise NstError(f"{values['model']} has one style: a sheet needs a multi-style network")
    sheet = sheets.contact_sheet(style_model, photo, values["tile"], values["columns"])
    image_io.save_image(output, sheet)
    print(f"wrote {output} ({len(style_model.style_names)} styles of {values['model']})")


def _list_styles():
    """Prints every shipped network with its styles (reads the .json files, no TensorFlow)."""
    import json
    import os

    from nst_tf.feedforward import shipped

    for name, path in shipped.shipped_models().items():
        with open(os.path.splitext(path)[0] + ".json") as f:
            metadata = json.load(f)
        styles = metadata.get("style_names", [])
        print(f"{name}: {len(styles)} style(s) ({metadata.get('description', 'trained here')})")
        for index, style in enumerate(styles):
            print(f"  {name}:{index}  {style}")
    print("any painting: nst-tf stylize PHOTO PAINTING --fast (Magenta's arbitrary stylisation)")


COMMAND = common.Command(
    define_flags,
    (),
    "List the shipped networks and their styles, or write a contact sheet (--sheet PHOTO -o OUT).",
    run,
)
