"""Render a conversation into a prompt string with the model's own chat template.

GGUF files carry their chat template as Jinja source
(`tokenizer.chat_template`). We render it the way Hugging Face transformers and
llama-cpp-python do: a sandboxed, immutable Jinja environment with
`trim_blocks` and `lstrip_blocks` on, the `loopcontrols` extension, and the
helpers templates expect (`raise_exception`, `strftime_now`, a JSON `tojson`
that does not HTML-escape). llama.cpp's built-in C renderer is not used: it
renders the R1 template differently (no BOS, `<think>` kept in history).
"""

from __future__ import annotations

import datetime
import functools
import json
from collections.abc import Sequence
from importlib import resources
from typing import Any, NoReturn

import jinja2
import jinja2.ext
from jinja2.sandbox import ImmutableSandboxedEnvironment

from app.core.errors import ModelFileError
from app.core.types import ChatMessage, Role


def _load_packaged(name: str) -> str:
    """Read a template shipped in app/chat/templates/."""
    return resources.files("app.chat").joinpath("templates", name).read_text(encoding="utf-8")


R1_TEMPLATE: str = _load_packaged("r1-distill.jinja")
"""The DeepSeek-R1-Distill chat template (older variant: no `<think>` in the prompt)."""

CHATML_TEMPLATE: str = _load_packaged("chatml.jinja")
"""A plain ChatML template for models that carry none."""


def _raise_exception(message: str) -> NoReturn:
    raise jinja2.exceptions.TemplateError(message)


def _strftime_now(fmt: str) -> str:
    return datetime.datetime.now().strftime(fmt)


def _tojson(
    value: Any,
    ensure_ascii: bool = False,
    indent: int | None = None,
    separators: tuple[str, str] | None = None,
    sort_keys: bool = False,
) -> str:
    # Jinja's own tojson HTML-escapes '<', '>', '&' and "'", which would change
    # the prompt; templates are written for this plain version (as in HF).
    return json.dumps(
        value, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys
    )


def _environment() -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=[jinja2.ext.loopcontrols],
    )
    env.filters["tojson"] = _tojson
    env.globals["raise_exception"] = _raise_exception
    env.globals["strftime_now"] = _strftime_now
    return env


def _describe(error: Exception) -> str:
    lineno = getattr(error, "lineno", None)
    where = f" (line {lineno})" if isinstance(lineno, int) else ""
    detail = str(error).strip() or type(error).__name__
    return f"{detail}{where}"


@functools.lru_cache(maxsize=16)
def _compile(source: str) -> jinja2.Template:
    """Compile a template once per distinct source text."""
    try:
        return _environment().from_string(source)
    except jinja2.TemplateError as error:
        raise ModelFileError(
            "The model's chat template could not be read: "
            f"{_describe(error)}. Choose another chat template for this model "
            "in its settings, or download the model again."
        ) from error


class ChatTemplate:
    """A compiled chat template that turns messages into one prompt string.

    Args:
        source: the Jinja source (usually the GGUF's `tokenizer.chat_template`).
        bos_token: the text of the model's BOS token (templates may print it).
        eos_token: the text of the model's EOS token.

    Raises:
        ModelFileError: the source is not a valid Jinja template.
    """

    def __init__(self, source: str, bos_token: str = "", eos_token: str = "") -> None:
        self.source = source
        self.bos_token = bos_token
        self.eos_token = eos_token
        self._template = _compile(source)

    def render(self, messages: Sequence[ChatMessage], add_generation_prompt: bool = True) -> str:
        """Render `messages` into a prompt.

        Assistant messages pass only their `content`; reasoning is never sent
        back to the model.

        Args:
            messages: the conversation, oldest first.
            add_generation_prompt: end with the text that opens the
                assistant's reply.

        Returns:
            The prompt text, special tokens written out as text.

        Raises:
            ModelFileError: the template failed while rendering (it called
                `raise_exception`, or used the messages in a way it cannot).
        """
        payload = [{"role": _role_name(m.role), "content": m.content} for m in messages]
        try:
            return self._template.render(
                messages=payload,
                add_generation_prompt=add_generation_prompt,
                bos_token=self.bos_token,
                eos_token=self.eos_token,
            )
        except Exception as error:  # any failure inside a foreign template
            raise ModelFileError(
                "The model's chat template failed to build the prompt: "
                f"{_describe(error)}. Choose another chat template for this model "
                "in its settings."
            ) from error


def _role_name(role: Role | str) -> str:
    return role.value if isinstance(role, Role) else str(role)
