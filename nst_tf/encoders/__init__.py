"""Loss networks: VGG feature extractors and what is known about their layers."""
