"""What rebuilds the shipped files: exported_models/, the vendored LiteRT.js, the VGG weights."""
