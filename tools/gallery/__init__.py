"""Galleries: the pictures of the README and docs/ (shared grid helpers in gallery.gallery)."""
