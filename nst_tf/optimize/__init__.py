"""Pixel optimisation (Gatys et al.): options, objective, optimisers, schedule, controls."""
