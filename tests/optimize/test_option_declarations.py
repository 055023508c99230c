"""The public signatures and the flags hold to the one declaration of each option."""

import dataclasses
import inspect

import numpy as np
import pytest

import nst_tf
from nst_tf.cli import optimization_flags, stylize_command, texture_command
from nst_tf.errors import NstError
from nst_tf.optimize import options, presets, run

OWN_PARAMETERS = {
    "stylize": ("content", "style", "size", "preset"),
    "synthesize_texture": ("style", "size"),
}


@pytest.mark.parametrize(
    "function, texture_only", [("stylize", False), ("synthesize_texture", True)]
)
def test_signature_is_the_declared_options(function, texture_only):
    parameters = inspect.signature(getattr(nst_tf, function)).parameters
    declared = options.declared(texture=texture_only)
    assert list(parameters) == [*OWN_PARAMETERS[function], *declared]
    for name, field in declared.items():
        default = parameters[name].default
        if function == "stylize" and name in presets.PRESET_OPTIONS:
            assert default is None, name  # None: the preset's value, else the declared default
        elif function == "synthesize_texture" and name == "init":
            assert default == "noise"
        else:
            assert default == field.default, name


@pytest.mark.parametrize(
    "function, texture_only", [("stylize", False), ("synthesize_texture", True)]
)
def test_every_parameter_reaches_its_option(monkeypatch, function, texture_only):
    received = []
    monkeypatch.setattr(run, "run_optimization", lambda *arguments: received.append(arguments[-1]))
    given = {name: f"{name} given" for name in options.declared(texture=texture_only)}
    image = np.zeros((16, 16, 3), np.float32)
    images = (image,) if texture_only else (image, image)
    getattr(nst_tf, function)(*images, **given)
    assert {name: getattr(received[0], name) for name in given} == given


def test_every_option_has_help_and_a_known_flag_kind():
    for name, field in options.declared().items():
        assert field.metadata["help"].strip(), name
        assert field.metadata["kind"] in {*optimization_flags.DEFINE, "enum"}, name
        if field.metadata["choices"] is not None:
            assert field.default in field.metadata["choices"], name


@pytest.mark.parametrize(
    "command, texture_only", [(stylize_command, False), (texture_command, True)]
)
def test_flags_are_the_declared_options(command, texture_only):
    fv = command.define_flags()
    for name in optimization_flags.flag_options(texture_only):
        flag = fv[optimization_flags.flag_name(name)]
        choices = options.declared()[name].metadata["choices"]
        if choices is not None:
            allowed = options.TEXTURE_INITS if texture_only and name == "init" else choices
            assert flag.parser.enum_values == list(allowed)
    if texture_only:
        for name in set(options.declared()) - set(options.declared(texture=True)):
            assert optimization_flags.flag_name(name) not in fv


def test_declared_choices_are_checked():
    for name, field in options.declared().items():
        if field.metadata["choices"] is not None:
            with pytest.raises(NstError, match=f"unknown {name}"):
                dataclasses.replace(options.Options(), **{name: "no-such-choice"}).validate()


def test_declared_bounds_are_checked():
    for name, field in options.declared().items():
        if field.metadata["bound"] is not None:
            with pytest.raises(NstError, match=name):
                dataclasses.replace(options.Options(), **{name: -1}).validate()


def test_options_are_exported():
    assert nst_tf.Options is options.Options
    assert "iterations" in nst_tf.Options.__doc__
