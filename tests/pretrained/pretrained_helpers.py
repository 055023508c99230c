"""What the import tests share: a graph with a stray weight."""

import numpy as np


def with_stray_weight(onnx_path, array, name, folder):
    """A copy of an ONNX file with one more initialiser that no node reads; returns its path."""
    import onnx

    graph = onnx.load(str(onnx_path))
    graph.graph.initializer.append(onnx.numpy_helper.from_array(np.asarray(array), name))
    path = folder / "stray.onnx"
    onnx.save(graph, str(path))
    return str(path)
