"""Every settings field changes behaviour: a table with one check per field of Settings.

A new field without an entry fails `test_every_settings_field_has_a_check`, so
nothing can be added to the settings file that the app never reads. Fields the
window applies live are checked through the window (text size, geometry,
Enter, reasoning fold, theme, language, the local API); sampling through the
options a reply gets; the model fields through the load parameters and the
model the settings choose (app.services); a few point to the test that covers
them elsewhere, and that test must exist.
"""

from __future__ import annotations

import dataclasses
import re
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QGuiApplication, QTextCursor
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from app.core.types import GenerateOptions
from app.services.loading import load_params
from app.store.settings import Settings, load_settings, save_settings, settings_from_dict
from app.ui.chat import math_metrics
from app.ui.chat.markdown_view import RichBrowser
from app.ui.common import i18n, theme
from app.ui.shell.api_control import ApiControl, server_config
from app.ui.shell.live_settings import DEFAULT_FONT_SIZE, LiveSettings
from app.ui.shell.main_window import MainWindow
from app.ui.shell.settings_dialog import SettingsBinder, options_from
from tests.ui.helpers import Rig, adopted, fake, make_rig

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Ctx:
    """What a check may use."""

    qtbot: QtBot
    rig: Rig
    binder: SettingsBinder
    live: LiveSettings
    tmp_path: Path

    def apply(self, **changes: object) -> None:
        self.binder.apply(dataclasses.replace(self.binder.settings, **changes))


@pytest.fixture
def ctx(qtbot: QtBot, tmp_path: Path) -> Iterator[Ctx]:
    rig = make_rig(tmp_path / "chats.sqlite3")
    qtbot.addWidget(rig.window)
    binder = SettingsBinder.load()
    binder.attach(rig.controller, rig.window)
    rig.controller._options = binder.generate_options
    live = LiveSettings(binder, rig.window, rig.controller)
    yield Ctx(qtbot, rig, binder, live, tmp_path)
    rig.close()
    i18n.install("en")
    app = QGuiApplication.instance()
    theme.apply(app, theme.Scheme.LIGHT)  # type: ignore[arg-type]


def _load_fake(c: Ctx, delay_s: float = 0.0005) -> None:
    with c.qtbot.waitSignal(c.rig.controller.model_changed, timeout=5000):
        c.rig.controller.load_model(adopted(lambda: fake(delay_s)))


def _send(c: Ctx, text: str) -> None:
    with c.qtbot.waitSignal(c.rig.controller.reply_finished, timeout=15000):
        c.rig.controller.send(text)


def _options(**changes: object) -> GenerateOptions:
    return options_from(Settings(**changes))  # type: ignore[arg-type]


# -- checks: the window ------------------------------------------------------------


def check_theme(c: Ctx) -> None:
    c.apply(theme="dark")
    assert theme.current().is_dark
    c.apply(theme="light")
    assert not theme.current().is_dark


def check_language(c: Ctx) -> None:
    menu = c.rig.window.file_menu
    c.apply(language="zh_CN")
    c.qtbot.waitUntil(lambda: "文件" in menu.title(), timeout=3000)
    c.apply(language="en")
    c.qtbot.waitUntil(lambda: menu.title() == "&File", timeout=3000)


def check_font_size(c: Ctx) -> None:
    _load_fake(c)
    _send(c, "Sum of odd numbers?")
    c.apply(font_size=17)
    view = c.rig.window.chat_view
    c.qtbot.waitUntil(lambda: view.message_widgets[-1].isVisible())
    assert _browser_points(view.message_widgets[-1]) == 17
    # Formulas are rendered for the new size (they sit on the text's baseline).
    assert abs(math_metrics.current().font_px - 17 * 96 / 72) < 1.5
    c.apply(font_size=9)
    c.qtbot.waitUntil(lambda: view.message_widgets[-1].isVisible())
    assert _browser_points(view.message_widgets[-1]) == 9


def _browser_points(widget: QWidget) -> int:
    # Hidden ones (a folded reasoning) take the style sheet's font when first shown.
    browsers = [b for b in widget.findChildren(RichBrowser) if b.isVisible()]
    assert browsers
    prose = [b for b in browsers if not b._is_code]
    code = [b for b in browsers if b._is_code]
    assert code and prose
    assert code[0].font().family() != prose[0].font().family()  # the code keeps its font
    sizes = {b.font().pointSize() for b in browsers}
    assert len(sizes) == 1, sizes
    return sizes.pop()


def check_window_geometry(c: Ctx) -> None:
    window = c.rig.window
    window.setGeometry(QRect(40, 60, 777, 555))
    c.live.save_geometry()
    saved = load_settings().window_geometry
    assert saved
    fresh = MainWindow()
    c.qtbot.addWidget(fresh)
    binder = SettingsBinder.load()
    assert binder.settings.window_geometry == saved
    LiveSettings(binder, fresh, c.rig.controller)
    assert (fresh.width(), fresh.height()) == (777, 555)


def check_send_on_enter(c: Ctx) -> None:
    composer = c.rig.window.composer
    sent: list[str] = []
    composer.send_requested.connect(sent.append)
    c.apply(send_on_enter=False)
    composer.set_text("first line")
    composer.input.moveCursor(QTextCursor.MoveOperation.End)
    c.qtbot.keyClick(composer.input, Qt.Key.Key_Return)
    assert sent == [] and composer.text == "first line\n"
    assert "Ctrl+Enter sends" in composer.input.placeholderText()
    c.qtbot.keyClick(composer.input, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert sent == ["first line"]
    c.apply(send_on_enter=True)
    c.qtbot.waitUntil(composer.send_button.isEnabled, timeout=5000)  # that send has ended
    composer.set_text("second")
    c.qtbot.keyClick(composer.input, Qt.Key.Key_Return)
    assert sent == ["first line", "second"]


def check_show_reasoning(c: Ctx) -> None:
    _load_fake(c, delay_s=0.002)
    controller = c.rig.controller
    view = c.rig.window.chat_view
    for shown in (False, True):
        c.apply(show_reasoning=shown)
        with c.qtbot.waitSignal(controller.reply_started, timeout=5000) as started:
            controller.send(f"Question (reasoning shown: {shown})")
        widget = view.widget_for(int(started.args[0]))
        assert widget is not None
        c.qtbot.waitUntil(lambda w=widget: bool(w.data.reasoning), timeout=5000)
        assert widget.reasoning.is_collapsed is (not shown)
        assert widget.reasoning.body.isVisible() is shown
        with c.qtbot.waitSignal(controller.reply_finished, timeout=15000):
            pass


# -- checks: the local API -----------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def check_api_server_enabled(c: Ctx) -> None:
    control = ApiControl(c.binder, c.rig.window, c.rig.controller)
    port = _free_port()
    with c.qtbot.waitSignal(control.started, timeout=15000) as started:
        c.apply(api_server_enabled=True, api_server_port=port)
    assert started.args[0] == f"http://127.0.0.1:{port}/v1"
    assert str(port) in c.rig.window.status.api_label.text()
    with c.qtbot.waitSignal(control.stopped, timeout=10000):
        c.apply(api_server_enabled=False)
    assert not c.rig.window.status.api_label.isVisible()


def check_api_server_port(c: Ctx) -> None:
    assert server_config(Settings(api_server_port=7411)).port == 7411
    assert Settings().api_server_port == 7323  # not llama.cpp's 8080


def check_api_server_key(c: Ctx) -> None:
    assert server_config(Settings(api_server_key="s3cret")).api_key == "s3cret"
    assert server_config(Settings()).api_key is None


def check_api_server_allowed_hosts(c: Ctx) -> None:
    config = server_config(Settings(api_server_allowed_hosts="mybox.lan, other.lan"))
    assert config.allowed_hosts == ("mybox.lan", "other.lan")


# -- checks: sampling reaches the reply ------------------------------------------------


def _sampling_check(name: str, value: float) -> Callable[[Ctx], None]:
    def check(_c: Ctx) -> None:
        assert getattr(_options(**{name: value}).sampling, name) == value
        assert getattr(_options().sampling, name) != value

    return check


def check_preset(c: Ctx) -> None:
    assert _options(preset="math").math_mode and not _options(preset="chat").math_mode


def check_max_tokens(c: Ctx) -> None:
    assert _options(max_tokens=1234).sampling.max_tokens == 1234


def check_math_mode(c: Ctx) -> None:
    assert _options(math_mode=True).math_mode and not _options(math_mode=False).math_mode


def check_thinking_budget(c: Ctx) -> None:
    assert _options(thinking_budget=300).thinking_budget == 300
    assert not _options().thinking_budget  # 0: no budget


# -- checks: the model the window loads -----------------------------------------------


def _params_check(name: str, field: str, value: int) -> Callable[[Ctx], None]:
    def check(c: Ctx) -> None:
        params = load_params(c.tmp_path / "m.gguf", Settings(**{name: value}),  # type: ignore[arg-type]
                             gpu_offload=lambda: True)
        assert getattr(params, field) == value
        default = load_params(c.tmp_path / "m.gguf", Settings(), gpu_offload=lambda: True)
        assert getattr(default, field) != value

    return check


def check_last_model(c: Ctx) -> None:
    from app.services.model_choice import source_from_settings

    model = c.tmp_path / "chosen.gguf"
    model.write_bytes(b"GGUF")
    source = source_from_settings(Settings(last_model=str(model)))
    assert source is not None and source.path == model
    assert source_from_settings(Settings()) is None


def check_backend(c: Ctx) -> None:
    from app.services.model_choice import source_from_settings

    remote = Settings(backend="remote", remote_url="http://127.0.0.1:9/v1", remote_model="qwen")
    chosen = source_from_settings(remote)
    assert chosen is not None and chosen.is_remote
    assert source_from_settings(dataclasses.replace(remote, backend="local")) is None


def check_remote_url(c: Ctx) -> None:
    from app.services.model_choice import source_from_settings

    chosen = source_from_settings(Settings(backend="remote", remote_url="http://127.0.0.1:9/v1",
                                           remote_model="qwen"))
    assert chosen is not None and chosen.remote_url == "http://127.0.0.1:9/v1"


def check_remote_model(c: Ctx) -> None:
    from app.services.model_choice import source_from_settings

    chosen = source_from_settings(Settings(backend="remote", remote_url="http://127.0.0.1:9/v1",
                                           remote_model="qwen-7b"))
    assert chosen is not None and chosen.remote_model == "qwen-7b"


def check_remote_api_key(c: Ctx) -> None:
    from app.services.model_choice import source_from_settings

    chosen = source_from_settings(Settings(backend="remote", remote_url="http://127.0.0.1:9/v1",
                                           remote_model="qwen", remote_api_key="k-123"))
    assert chosen is not None and chosen.api_key == "k-123"


def check_settings_version(c: Ctx) -> None:
    # A version-1 file stored every default: those become "auto" (None) when read.
    assert settings_from_dict({"temperature": 0.6}).temperature is None
    assert settings_from_dict({"temperature": 0.6, "settings_version": 2}).temperature == 0.6


def check_state_budget_mb(c: Ctx) -> None:
    from app.services.states import budget_bytes

    assert budget_bytes(Settings(state_budget_mb=3)) == 3_000_000
    assert budget_bytes(Settings(state_budget_mb=0)) == 0  # saving states to disk is off
    covered_by("tests/services/test_states.py",
               "test_budget_setting_limits_the_states_folder")(c)


def covered_by(test_file: str, test_name: str) -> Callable[[Ctx], None]:
    """A field whose behaviour another test proves: that test must exist."""

    def check(_c: Ctx) -> None:
        text = (ROOT / test_file).read_text(encoding="utf-8")
        assert re.search(rf"^def {test_name}\(", text, re.MULTILINE), f"{test_file}::{test_name}"

    return check


CHECKS: dict[str, Callable[[Ctx], None]] = {
    "theme": check_theme,
    "language": check_language,
    "font_size": check_font_size,
    "last_model": check_last_model,
    "backend": check_backend,
    "n_ctx": _params_check("n_ctx", "n_ctx", 2048),
    "n_gpu_layers": _params_check("n_gpu_layers", "n_gpu_layers", 7),
    "n_threads": _params_check("n_threads", "n_threads", 3),
    "temperature": _sampling_check("temperature", 0.35),
    "top_p": _sampling_check("top_p", 0.5),
    "top_k": _sampling_check("top_k", 7),
    "min_p": _sampling_check("min_p", 0.2),
    "repeat_penalty": _sampling_check("repeat_penalty", 1.3),
    "preset": check_preset,
    "max_tokens": check_max_tokens,
    "math_mode": check_math_mode,
    "thinking_budget": check_thinking_budget,
    "show_reasoning": check_show_reasoning,
    "send_on_enter": check_send_on_enter,
    "remote_url": check_remote_url,
    "remote_model": check_remote_model,
    "remote_api_key": check_remote_api_key,
    "api_server_enabled": check_api_server_enabled,
    "api_server_port": check_api_server_port,
    "window_geometry": check_window_geometry,
    "setup_skipped": covered_by("tests/ui/test_models_page.py",
                                "test_first_run_opens_the_wizard_unless_skipped"),
    # The plan's quantization and reason are recorded for the Models page and the
    # wizard's re-plan; the plan's numbers are what loads read (below).
    "plan_quant": covered_by("tests/ui/test_load_paths.py",
                             "test_wizard_first_answer_loads_with_the_plan_it_saved"),
    "plan_n_gpu_layers": _params_check("plan_n_gpu_layers", "n_gpu_layers", 5),
    "plan_n_ctx": _params_check("plan_n_ctx", "n_ctx", 3072),
    "plan_reason": covered_by("tests/ui/test_load_paths.py",
                              "test_wizard_first_answer_loads_with_the_plan_it_saved"),
    "settings_version": check_settings_version,
    "api_server_key": check_api_server_key,
    "api_server_allowed_hosts": check_api_server_allowed_hosts,
    "state_budget_mb": check_state_budget_mb,
    "check_samples": covered_by("tests/ui/test_tutor_check.py",
                                "test_check_samples_setting_is_what_the_plan_is_asked_for"),
    "code_run_confirmed": covered_by("tests/ui/test_run_panel.py",
                                     "test_the_confirmation_appears_once"),
}


def test_every_settings_field_has_a_check() -> None:
    fields = [f.name for f in dataclasses.fields(Settings)]
    assert sorted(set(fields) - set(CHECKS)) == [], "a settings field nobody proves is live"
    assert sorted(set(CHECKS) - set(fields)) == [], "a check for a field that is gone"


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_settings_field_changes_behaviour(name: str, ctx: Ctx) -> None:
    CHECKS[name](ctx)


def test_text_size_shortcuts_are_saved_and_applied(qtbot: QtBot, ctx: Ctx) -> None:
    window = ctx.rig.window
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    ctrl = Qt.KeyboardModifier.ControlModifier
    size = window.chat_view.widget().font().pointSize()
    assert size == DEFAULT_FONT_SIZE
    qtbot.keyClick(window.composer.input, Qt.Key.Key_Equal, ctrl)
    qtbot.keyClick(window.composer.input, Qt.Key.Key_Equal, ctrl)
    assert window.chat_view.widget().font().pointSize() == size + 2
    assert load_settings().font_size == size + 2
    qtbot.keyClick(window.composer.input, Qt.Key.Key_Minus, ctrl)
    assert load_settings().font_size == size + 1
    qtbot.keyClick(window.composer.input, Qt.Key.Key_0, ctrl)
    assert load_settings().font_size == DEFAULT_FONT_SIZE
    assert window.chat_view.widget().font().pointSize() == DEFAULT_FONT_SIZE
    assert [a.text() for a in ctx.live.view_menu.menu.actions()] == [
        "Larger text", "Smaller text", "Default text size"]


def test_window_changes_do_not_overwrite_what_others_saved(ctx: Ctx) -> None:
    # The wizard saves the plan while the window runs; a zoom step must keep it.
    save_settings(dataclasses.replace(load_settings(), plan_n_ctx=8192))
    ctx.live.zoom(1)
    assert load_settings().plan_n_ctx == 8192
    assert load_settings().font_size == DEFAULT_FONT_SIZE + 1
