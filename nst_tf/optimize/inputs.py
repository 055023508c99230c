"""The images an optimisation starts from, checked: content and styles as arrays, the styles at
each level's size, colour preservation, region masks and the starting pixels. No TensorFlow."""

import os

import numpy as np

from nst_tf import colors
from nst_tf.errors import NstError
from nst_tf.io import image_io
from nst_tf.optimize import limits, style_controls


def as_images(style):
    """One style image or a list of them (paths or arrays) as a non-empty list of arrays."""
    many = isinstance(style, (list, tuple))
    styles = [as_image(image, "style") for image in (style if many else [style])]
    if not styles:
        raise NstError("no style image given")
    return styles


def as_image(image, name):
    """A path or array as a float32 (height, width, 3) array in [0, 255], at least
    image_io.MIN_SIDE px a side."""
    if isinstance(image, (str, os.PathLike)):
        image = image_io.load_image(image)
    image = np.asarray(image, dtype=np.float32)
    if image.ndim != 3 or image.shape[-1] != 3:
        raise NstError(f"the {name} image must have shape (height, width, 3), got {image.shape}")
    image_io.check_min_side(image.shape, f"{name} image")
    return image


def check_sizes(shape, styles, scales, options, layers, plan):
    """Raises NstError if the result (or its tiles) or a style image at one pyramid level is
    too small for the layers, or the patch losses' scores too large for memory."""
    limits.check_image_size("result", shape, layers)
    for image, scale in zip(styles, scales):
        shape_of_style = style_shape(image, shape, scale, plan)
        limits.check_image_size("style image", shape_of_style, layers)
        if options.style_loss in ("mrf", "swap"):
            limits.check_patch_memory(
                shape, shape_of_style, options.resolved_style_layers(), plan.limit_bytes
            )


def color_inputs(content, styles, preserve_colors):
    """The content and style images the optimisation sees under a color preservation mode.

    Returns:
      (content, styles): grey luminance images for "luminance", the styles recolored to the
      content's color statistics for "histogram", the inputs unchanged for "none".
    """
    if preserve_colors == "histogram":
        return content, [colors.match_colors(image, content) for image in styles]
    if preserve_colors == "luminance":
        styles = [colors.match_luminance(image, content) for image in styles]
        return colors.luminance_image(content), styles
    return content, styles


def styles_at(styles, shape, scales, plan):
    """The style images resized for a result of `shape`: each one's longest side the result's
    times its scale, at most the schedule's style side."""
    return [
        image_io.resize(image, style_shape(image, shape, scale, plan))
        for image, scale in zip(styles, scales)
    ]


def style_shape(style, shape, scale, plan):
    """The size of a style image whose longest side is the result's times `scale`, at most the
    schedule's style side (so its statistics can be computed whole)."""
    side = min(max(1, round(max(shape) * scale)), plan.style_side)
    return image_io.scaled_size(*style.shape[:2], side)


def check_content_needs(content, options):
    """Raises NstError for controls that need a content image when there is none."""
    if content is not None:
        return
    needs = {
        "color preservation": options.preserve_colors != "none",
        "masks": any(
            value is not None
            for value in (options.masks, options.label_map, options.style_label_maps)
        ),
        "the style swap loss": options.style_loss == "swap",
        "the fast initialization": options.init == "fast",
        "the photorealism weight": bool(options.photorealism_weight),
        "photo smoothing": options.photo_smoothing is not None,
    }
    for name, wanted in needs.items():
        if wanted:
            verb = "need" if name == "masks" else "needs"
            raise NstError(f"{name} {verb} a content image: use stylize, not texture synthesis")


def style_regions(options, content_shape, style_shapes, blend):
    """Which style image each style term uses, the terms' weights, and their masks on the
    content and on the style image; the one check of masks and label maps against the images.

    Args:
      options: Options (masks, label_map, style_label_maps).
      content_shape: (height, width) of the content, or None (texture synthesis).
      style_shapes: (height, width) of each style image.
      blend: the normalised weight of each style image.

    Returns:
      (style indices, weights, content masks or None, style masks or None): one term per style
      image (its region mask on the content, if given), or with style label maps one per
      (region, style image that has it).
    """
    count = len(style_shapes)
    if options.style_label_maps is not None:
        return style_controls.semantic_regions(
            options.label_map, list(options.style_label_maps), blend, content_shape,
            list(style_shapes),
        )  # fmt: skip
    masks = None
    if options.masks is not None:
        masks = style_controls.load_masks(list(options.masks), count, content_shape)
    elif options.label_map is not None:
        masks = style_controls.masks_from_label_map(options.label_map, count, content_shape)
    return list(range(count)), blend, masks, None


def initial_image(init, content, styles, blend, shape, seed):
    """The starting pixels: the content, the first style resized to `shape`, the one-pass
    result of the pretrained arbitrary network, or uniform noise."""
    if init == "content":
        return content.astype(np.float32)
    if init == "style":
        return image_io.resize(styles[0], shape)
    if init == "fast":
        from nst_tf.pretrained import fast

        return fast.stylize_fast(content, styles, style_blend=blend, engine="tensorflow")
    return np.random.default_rng(seed).uniform(0.0, 255.0, (*shape, 3)).astype(np.float32)


def check_style_controls(options, styles, content_shape=None):
    """Checks blend weights, style scales, masks and label maps against the style images (and
    the content's (height, width)) before TensorFlow loads.

    Returns:
      the region masks of the styles (list of arrays) when masks or a label map without style
      label maps were given, else None.
    """
    blend = style_controls.blend_weights(options.style_blend, len(styles))
    style_controls.style_scales(options.style_scale, len(styles))
    _, _, masks, _ = style_regions(
        options, content_shape, [image.shape[:2] for image in styles], blend
    )
    return None if options.style_label_maps is not None else masks
