"""Colour preservation (Gatys et al. 2017, "Controlling Perceptual Factors"): luminance-only
transfer in YIQ and colour matching of the style to the content (mean and covariance).

Images are numpy arrays (height, width, 3), float, RGB in [0, 255]; no TensorFlow here.
"""

import numpy as np

# NTSC YIQ (FCC 1953 coefficients): Y is the luminance, I and Q the chroma.
_RGB_TO_YIQ = np.array(
    [[0.299, 0.587, 0.114], [0.595716, -0.274453, -0.321263], [0.211456, -0.522591, 0.311135]]
)
_YIQ_TO_RGB = np.linalg.inv(_RGB_TO_YIQ)


def rgb_to_yiq(image):
    """RGB to YIQ, channels last; Y keeps the 0-255 range."""
    return np.asarray(image, np.float64) @ _RGB_TO_YIQ.T


def yiq_to_rgb(image):
    """YIQ to RGB, channels last, not clipped."""
    return np.asarray(image, np.float64) @ _YIQ_TO_RGB.T


def luminance_image(image):
    """The luminance as a grey RGB image (Y in all three channels), float32."""
    luminance = rgb_to_yiq(image)[..., :1]
    return np.repeat(luminance, 3, axis=-1).astype(np.float32)


def match_luminance(style, content):
    """The style's grey luminance image, its mean and standard deviation matched to the content's.

    Args:
      style, content: RGB images.

    Returns:
      float32 grey RGB image of the style's size, in [0, 255].
    """
    style_y = rgb_to_yiq(style)[..., 0]
    content_y = rgb_to_yiq(content)[..., 0]
    scale = content_y.std() / max(style_y.std(), 1e-6)
    matched = (style_y - style_y.mean()) * scale + content_y.mean()
    return np.repeat(np.clip(matched, 0, 255)[..., None], 3, axis=-1).astype(np.float32)


def combine_luminance(stylized, content):
    """The luminance of `stylized` with the chroma (I, Q) of `content` of the same size.

    Args:
      stylized: RGB image whose luminance is kept (a grey image works: its Y is its value).
      content: RGB image whose chroma is kept.

    Returns:
      float32 RGB image in [0, 255] (out-of-gamut colours clipped).
    """
    yiq = rgb_to_yiq(content)
    yiq[..., 0] = rgb_to_yiq(stylized)[..., 0]
    return np.clip(yiq_to_rgb(yiq), 0, 255).astype(np.float32)


def match_colors(style, content):
    """Recolours the style so its pixels have the content's colour mean and covariance.

    The affine map x -> A (x - mean_s) + mean_c with A = C_c^(1/2) C_s^(-1/2) (symmetric matrix
    square roots), as in Gatys et al. 2017, section 5.

    Args:
      style, content: RGB images (any sizes).

    Returns:
      float32 RGB image of the style's size, clipped to [0, 255].
    """
    style_pixels = np.asarray(style, np.float64).reshape(-1, 3)
    content_pixels = np.asarray(content, np.float64).reshape(-1, 3)
    style_mean, content_mean = style_pixels.mean(0), content_pixels.mean(0)
    transform = _sqrt_matrix(np.cov(content_pixels, rowvar=False)) @ _sqrt_matrix(
        np.cov(style_pixels, rowvar=False), inverse=True
    )
    matched = (style_pixels - style_mean) @ transform.T + content_mean
    return np.clip(matched, 0, 255).reshape(np.shape(style)).astype(np.float32)


def _sqrt_matrix(covariance, inverse=False):
    """Symmetric square root (or inverse square root) of a covariance, regularised."""
    values, vectors = np.linalg.eigh(covariance + 1e-3 * np.eye(3))
    roots = np.sqrt(np.maximum(values, 1e-3))
    return (vectors * (1 / roots if inverse else roots)) @ vectors.T
