"""Loss terms as Keras layers: Gram, content, total variation, style losses by name."""
