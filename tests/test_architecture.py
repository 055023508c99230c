"""The rules of docs/architecture.md, checked: which part of nst_tf may import which, no
`_private` names imported across modules, no module longer than 350 lines."""

import ast
import pathlib

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parent.parent / "nst_tf"
MAX_LINES = 350

# Anything may import these.
SHARED = {"errors", "defaults", "tf_startup"}

# What each part of nst_tf may import besides itself and SHARED; "x.y" allows one module of x.
# Keep in step with the table of docs/architecture.md.
ALLOWED = {
    "io": set(),
    "encoders": {"io"},
    "losses": set(),
    "colors": set(),
    "metrics": {"io"},
    "blending": set(),
    "tiling": set(),
    "engine_choice": set(),
    "motion": set(),
    "lite": set(),
    "photoreal": {"io"},
    "optimize": {
        "io", "encoders", "losses", "photoreal", "tiling", "motion", "colors", "blending",
        "pretrained.fast",
    },
    "feedforward": {
        "io", "encoders", "losses", "lite", "engine_choice", "blending", "motion",
    },
    "superres": {
        "io", "encoders", "losses", "engine_choice", "tiling", "feedforward.network_layers",
        "feedforward.training_input", "feedforward.checkpoints", "feedforward.model",
        "feedforward.shipped", "feedforward.training_config",
    },
    "pretrained": {
        "io", "lite", "engine_choice", "colors", "blending", "tiling", "feedforward.network_layers",
        "feedforward.shipped",
    },
    "export": {"io", "feedforward", "pretrained", "superres", "lite", "metrics"},
    "serve": {"io", "optimize", "feedforward", "pretrained", "encoders", "colors", "engine_choice"},
    "batch": {
        "io", "feedforward.styles", "feedforward.shipped", "pretrained.fast", "engine_choice",
        "blending",
    },
    "analogy": {"io", "encoders", "losses.patches", "optimize.lbfgs"},
    "cli": {"*"},
    "__main__": {"cli"},
    "__init__": {"*"},
}  # fmt: skip


def modules():
    return sorted(PACKAGE.rglob("*.py"))


def part_of(dotted):
    """("optimize", "optimize.tiled") for nst_tf.optimize.tiled."""
    parts = dotted.split(".")[1:]
    return parts[0], ".".join(parts[:2])


def imports_of(path):
    """(line, imported module, imported names) for every nst_tf import of a file, lazy ones too."""
    relative = path.relative_to(PACKAGE.parent).with_suffix("")
    package = ".".join(relative.parts[:-1] if relative.name != "__init__" else relative.parts)
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name, ()) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names = tuple(alias.name for alias in node.names)
            found.append((node.lineno, base, names))
    return [item for item in found if item[1] == "nst_tf" or item[1].startswith("nst_tf.")]


def targets(module, names):
    """The nst_tf modules an import reaches: `from nst_tf.x import y` names nst_tf.x.y if it is a
    module, else nst_tf.x."""
    reached = []
    for name in names or ("",):
        candidate = f"{module}.{name}" if name else module
        path = PACKAGE.parent.joinpath(*candidate.split("."))
        reached.append(candidate if path.with_suffix(".py").exists() or path.is_dir() else module)
    return reached


def violations():
    found = []
    for path in modules():
        relative = path.relative_to(PACKAGE.parent).with_suffix("")
        own_part, _ = part_of(".".join(relative.parts))
        allowed = ALLOWED.get(own_part, set())
        for line, module, names in imports_of(path):
            for target in targets(module, names):
                if target == "nst_tf":
                    continue
                part, submodule = part_of(target)
                if part in SHARED or part == own_part or "*" in allowed:
                    continue
                if part not in allowed and submodule not in allowed:
                    found.append(f"{relative}.py:{line} imports {target}")
    return found


def test_import_contracts_of_the_architecture():
    assert not violations(), "\n".join(violations())


def test_every_part_has_a_contract():
    parts = {
        part_of(".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts))[0]
        for path in modules()
    }
    assert parts - SHARED <= set(ALLOWED), parts - SHARED - set(ALLOWED)


def test_no_cycles_between_parts():
    edges = {}
    for path in modules():
        own, _ = part_of(".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts))
        for _, module, names in imports_of(path):
            for target in targets(module, names):
                if target != "nst_tf":
                    part = part_of(target)[0]
                    if part != own and part not in SHARED and own not in ("cli", "__init__"):
                        edges.setdefault(own, set()).add(part)

    def reaches(start, goal, seen):
        for nxt in edges.get(start, ()):
            if nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt})):
                return True
        return False

    cycles = sorted(part for part in edges if reaches(part, part, {part}))
    assert not cycles, cycles


def test_no_private_names_imported_across_modules():
    found = []
    for path in [*modules(), *PACKAGE.parent.joinpath("tests").rglob("*.py")]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("nst_tf"):
                found += [
                    f"{path.name}:{node.lineno} {alias.name}"
                    for alias in node.names
                    if alias.name.startswith("_") and not alias.name.startswith("__")
                ]
    assert not found, found


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_module_length(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(PACKAGE)} has {lines} lines (at most {MAX_LINES})"
