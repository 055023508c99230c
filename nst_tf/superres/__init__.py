"""Perceptual-loss super-resolution (Johnson, Alahi & Fei-Fei 2016): network, data, training,
upscaling."""
