"""The Settings dialog saves only what it changed; what others saved meanwhile stays.

Real settings file, real dialog and binder.
"""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.store.settings import load_settings
from app.ui.shell.live_settings import save_changes
from app.ui.shell.settings_dialog import SettingsBinder


def test_applying_the_dialog_keeps_fields_saved_meanwhile(qtbot: QtBot) -> None:
    binder = SettingsBinder.load()
    dialog = binder.make_dialog()
    qtbot.addWidget(dialog)
    # While the dialog is open, other parts of the app save their own fields.
    save_changes(last_model="/models/chosen.gguf", plan_quant="Q4_K_M", plan_n_ctx=8192,
                 setup_skipped=True, window_geometry="AdnQywADAAA=")
    dialog.temperature.setValue(0.35)
    dialog.font_size.setValue(14)
    binder.apply(dialog.result_settings())
    saved = load_settings()
    # The dialog's changes are saved ...
    assert saved.temperature == 0.35 and saved.font_size == 14
    # ... and nothing the others saved was overwritten by the dialog's old copy.
    assert saved.last_model == "/models/chosen.gguf"
    assert saved.plan_quant == "Q4_K_M" and saved.plan_n_ctx == 8192
    assert saved.setup_skipped is True and saved.window_geometry == "AdnQywADAAA="
    assert binder.settings == saved  # the binder uses what is on disk now
