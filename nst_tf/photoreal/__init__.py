"""Photorealistic transfer: the matting Laplacian of a photo, the closed-form smoothing that
follows any stylisation, and the photorealism metrics (no TensorFlow)."""
