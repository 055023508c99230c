"""Reading and writing: images, videos, plots, atomic files."""
