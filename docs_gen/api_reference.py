"""The Python API reference: one mkdocstrings entry per public name of nst_tf."""

import nst_tf

# Section titles by the subpackage that defines a name; others go under "More".
_SECTIONS = {
    "errors": "Images and errors",
    "io": "Images and errors",
    "optimize": "Optimisation",
    "losses": "Losses and the loss network",
    "encoders": "Losses and the loss network",
    "pretrained": "One pass: the pretrained networks",
    "feedforward": "Trained networks",
    "export": "Export",
    "photoreal": "Photorealistic transfer",
    "analogy": "Image analogies",
    "superres": "Super-resolution",
    "batch": "Scaling out",
}


def public_names():
    """nst_tf's public names with the module each is defined in, in nst_tf's order."""
    return dict(nst_tf.DEFINED_IN)


def render():
    """The page's Markdown: mkdocstrings directives under one heading per section."""
    sections = {}
    for name, module in public_names().items():
        title = _SECTIONS.get(module.split(".")[1], "More")
        sections.setdefault(title, []).append((name, module))
    lines = [
        "# Python API reference",
        "",
        "Every public name of `nst_tf`, generated from the docstrings when the site is built.",
        "`import nst_tf` is cheap: each name imports its module (and TensorFlow) on first use.",
        "",
    ]
    for title, entries in sections.items():
        lines += [f"## {title}", ""]
        for name, module in entries:
            lines += [
                f"::: {module}.{name}",
                "    options:",
                f'      heading: "nst_tf.{name}"',
                f'      toc_label: "{name}"',
                "",
            ]
    return "\n".join(lines)
