"""Feed-forward transformation networks: layers, training, loading and applying them."""
