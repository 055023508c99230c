"""Exports of trained networks: SavedModel for TF Serving, TFLite for LiteRT."""
