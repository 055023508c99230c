"""The sides of tools/bench/bench_race.py: nst_tf's optimisation, and a minimal PyTorch implementation of
the same objective under torch's L-BFGS and SciPy's L-BFGS-B. torch is imported only here, for
the benchmark; nst_tf never needs it.

The objective (nst_tf's, with these weights): VGG16 with max pooling and the h5 weights of the
loss network, caffe preprocessing (RGB to BGR, ImageNet channel means subtracted), features
after the ReLU of nst_tf's default layers; content: mean squared feature difference; style:
mean squared difference of Gram matrices divided by the positions, 1/number of layers each.
"""

import time

import numpy as np

from nst_tf import defaults

CONTENT_WEIGHT = 1.0
STYLE_WEIGHT = 0.01
CAFFE_MEANS_BGR = (103.939, 116.779, 123.68)
VGG16_BLOCKS = (2, 2, 3, 3, 3)  # convolutions per block


class Recording:
    """Images every `every` iterations as a saved file holds them (8 bits), with the seconds
    since the side started working and the loss evaluations spent."""

    def __init__(self, every):
        self.every = every
        self.started = time.perf_counter()
        self.images, self.entries = [], []

    def wants(self, iteration):
        return iteration % self.every == 0

    def add(self, iteration, evaluations, image):
        seconds = time.perf_counter() - self.started
        self.images.append(np.round(np.clip(image, 0, 255)).astype(np.uint8))
        self.entries.append(
            {"iteration": iteration, "evaluations": evaluations, "seconds": seconds}
        )


def nst_tf_objective(inputs, vgg_weights, xla, precision):
    """nst_tf's Objective with the race's weights, for the content and style of `inputs`."""
    from nst_tf.encoders import vgg
    from nst_tf.optimize.objective import Objective

    options = race_options(vgg_weights, xla, precision)
    layers = [*options.resolved_style_layers(), *options.content_layers]
    network = vgg.build_loss_network(layers, "vgg16", vgg_weights, "max", precision)
    content = inputs["content"]
    return Objective(network, options, content.shape[:2], content, [inputs["style"]], [1.0])


def race_options(vgg_weights, xla, precision):
    """nst_tf's options for the race's objective."""
    from nst_tf.optimize.options import Options

    return Options(
        vgg="vgg16", vgg_weights=vgg_weights, pooling="max", content_weight=CONTENT_WEIGHT,
        style_weight=STYLE_WEIGHT, tv_weight=0.0, init="content", progress=False, xla=xla,
        precision=precision,
    )  # fmt: skip


def run_nst_tf(inputs, args, precision):
    """`nst_tf.stylize` from the content, its images taken through `on_iteration`, with the loss
    network in `precision` ("auto": nst_tf's default).

    Returns:
      (Recording, loss evaluations, own final loss, bare evaluation function).
    """
    import nst_tf

    recording = Recording(args.record_every)
    recording.add(0, 0, inputs["content"])

    def on_iteration(iteration, image):
        if recording.wants(iteration):
            recording.add(iteration, None, image())

    options = race_options(args.vgg_weights, True, precision)
    fields = {
        name: getattr(options, name)
        for name in ("vgg", "vgg_weights", "pooling", "content_weight", "style_weight",
                     "tv_weight", "init", "progress", "xla", "precision")
    }  # fmt: skip
    result = nst_tf.stylize(
        inputs["content"], inputs["style"], iterations=args.nst_iterations,
        on_iteration=on_iteration, scales=getattr(args, "nst_scales", 1), **fields,
    )  # fmt: skip
    evaluations = {entry["iteration"]: entry["evaluations"] for entry in result.history}
    for entry in recording.entries[1:]:
        entry["evaluations"] = evaluations.get(entry["iteration"])
    objective = nst_tf_objective(inputs, args.vgg_weights, True, precision)
    image = inputs["content"][None].astype(np.float32)

    def bare():
        import tensorflow as tf

        objective.losses_and_gradient(tf.constant(image))[1].numpy()

    return recording, result.history[-1]["evaluations"], result.history[-1]["total"], bare


class TorchObjective:
    """nst_tf's objective in PyTorch (see the module's docstring), float32 on the CPU."""

    def __init__(self, weights_path, content, style):
        import h5py
        import torch

        self.torch = torch
        self.convolutions = []
        with h5py.File(weights_path, "r") as file:
            for block, count in enumerate(VGG16_BLOCKS, start=1):
                for index in range(1, count + 1):
                    name = f"block{block}_conv{index}"
                    # The layer's weights in the order Keras lists them: kernel, then bias.
                    kernel, bias = (np.asarray(file[name][weight]) for weight in
                                    file[name].attrs["weight_names"])  # fmt: skip
                    self.convolutions.append((
                        name, torch.from_numpy(kernel.transpose(3, 2, 0, 1).copy()),
                        torch.from_numpy(bias.copy()),
                    ))  # fmt: skip
        self.content_layers = list(defaults.CONTENT_LAYERS)
        self.style_layers = list(defaults.STYLE_LAYERS)
        self.last_layer = max(
            self.content_layers + self.style_layers, key=[c[0] for c in self.convolutions].index
        )
        with torch.no_grad():
            content_features = self.features(torch.from_numpy(content))
            style_features = self.features(torch.from_numpy(style))
        self.content_targets = [content_features[name] for name in self.content_layers]
        self.style_targets = [self.gram(style_features[name]) for name in self.style_layers]

    def features(self, image):
        """The named activations of an RGB image (height, width, 3) in [0, 255]."""
        torch = self.torch
        means = torch.tensor(CAFFE_MEANS_BGR, dtype=torch.float32)
        x = (image.flip(-1) - means).permute(2, 0, 1)[None]
        found = {}
        for name, kernel, bias in self.convolutions:
            if name.endswith("conv1") and name != "block1_conv1":
                x = torch.nn.functional.max_pool2d(x, 2)
            x = torch.relu(torch.nn.functional.conv2d(x, kernel, bias, padding=1))
            found[name] = x
            if name == self.last_layer:
                break
        return found

    def gram(self, feature):
        channels, positions = feature.shape[1], feature.shape[2] * feature.shape[3]
        flat = feature.reshape(channels, positions)
        return flat @ flat.T / positions

    def __call__(self, image):
        """The objective of an image tensor (height, width, 3)."""
        found = self.features(image)
        content = sum(
            ((found[name] - target) ** 2).mean()
            for name, target in zip(self.content_layers, self.content_targets)
        ) / len(self.content_layers)
        style = sum(
            ((self.gram(found[name]) - target) ** 2).mean()
            for name, target in zip(self.style_layers, self.style_targets)
        ) / len(self.style_layers)
        return CONTENT_WEIGHT * content + STYLE_WEIGHT * style


def run_torch(side, inputs, args):
    """One PyTorch side from the content image.

    Returns:
      (Recording, loss evaluations, own final loss, bare evaluation function).
    """
    import torch

    recording = Recording(args.record_every)
    objective = TorchObjective(args.vgg_weights, inputs["content"], inputs["style"])
    recording.add(0, 0, inputs["content"])
    run = _torch_lbfgs if side == "torch_lbfgs" else _scipy_lbfgsb
    evaluations, loss = run(objective, inputs["content"], args.torch_iterations, recording)
    x = torch.from_numpy(inputs["content"].copy()).requires_grad_(True)

    def bare():
        objective(x).backward()

    return recording, evaluations, loss, bare


def _torch_lbfgs(objective, content, iterations, recording):
    """torch.optim.LBFGS with the strong Wolfe line search, one iteration per step."""
    import torch

    x = torch.from_numpy(content.copy()).requires_grad_(True)
    optimizer = torch.optim.LBFGS([x], max_iter=1, line_search_fn="strong_wolfe")
    count = [0]

    def closure():
        optimizer.zero_grad()
        loss = objective(x)
        loss.backward()
        count[0] += 1
        return loss

    loss = None
    for iteration in range(1, iterations + 1):
        loss = float(optimizer.step(closure))
        if recording.wants(iteration):
            recording.add(iteration, count[0], x.detach().numpy())
    with torch.no_grad():
        loss = float(objective(x))
    return count[0], loss


def _scipy_lbfgsb(objective, content, iterations, recording):
    """SciPy's L-BFGS-B on torch gradients, the pixels bounded to [0, 255]."""
    import scipy.optimize
    import torch

    shape = content.shape
    count = [0]

    def loss_and_gradient(flat):
        x = torch.from_numpy(flat.reshape(shape).astype(np.float32)).requires_grad_(True)
        loss = objective(x)
        loss.backward()
        count[0] += 1
        return float(loss), x.grad.numpy().ravel().astype(np.float64)

    done = [0]

    def callback(intermediate_result):
        done[0] += 1
        if recording.wants(done[0]):
            recording.add(done[0], count[0], intermediate_result.x.reshape(shape))

    result = scipy.optimize.minimize(
        loss_and_gradient, content.ravel().astype(np.float64), jac=True, method="L-BFGS-B",
        bounds=[(0.0, 255.0)] * content.size, callback=callback,
        options={"maxiter": iterations, "maxfun": 10 * iterations},
    )  # fmt: skip
    return count[0], float(result.fun)
