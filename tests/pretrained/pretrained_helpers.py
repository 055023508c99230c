"""What the import tests share: loading a converter from tools/, and a graph with a stray weight."""

import importlib.util

import numpy as np
from support import REPO


def load_tool(name):
    """The module tools/NAME.py (tools/ is not a package)."""
    spec = importlib.util.spec_from_file_location(name, REPO / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def with_stray_weight(onnx_path, array, name, folder):
    """A copy of an ONNX file with one more initialiser that no node reads; returns its path."""
    import onnx

    graph = onnx.load(str(onnx_path))
    graph.graph.initializer.append(onnx.numpy_helper.from_array(np.asarray(array), name))
    path = folder / "stray.onnx"
    onnx.save(graph, str(path))
    return str(path)
