"""Second attack, the daemon's unit files: a link planted where a unit goes, a folder whose name ends
in a backslash (a systemd line continuation), and --interval 0."""

from __future__ import annotations

import pytest
from conftest import make_workspace

from tasks.core.errors import SecftError
from tasks.service import daemon
from tasks.service import units as service


def test_a_link_where_a_unit_goes_is_refused_and_its_target_untouched(tmp_path, monkeypatch):
    victim = tmp_path / "victimfile"
    victim.write_text("precious\n")
    units = tmp_path / "units"
    units.mkdir()
    (units / "secft-daemon.service").symlink_to(victim)
    monkeypatch.setenv("SECFT_SERVICE_DIR", str(units))
    monkeypatch.setattr(service, "platform_kind", lambda: "systemd")
    with pytest.raises(SecftError, match="link"):
        service.install(tmp_path, 900, None, activate=False, env_file=tmp_path / "env")
    assert victim.read_text() == "precious\n"


def test_units_are_written_whole_in_a_plain_folder(tmp_path, monkeypatch):
    units = tmp_path / "units"
    monkeypatch.setenv("SECFT_SERVICE_DIR", str(units))
    monkeypatch.setattr(service, "platform_kind", lambda: "systemd")
    written = service.install(tmp_path, 900, None, activate=False, env_file=tmp_path / "env")
    assert sorted(p.name for p in written) == ["secft-daemon.service", "secft-daemon.timer"]
    assert sorted(p.name for p in units.iterdir()) == ["secft-daemon.service", "secft-daemon.timer"]  # no temp left


@pytest.mark.parametrize("name", ["w\\", "trailing ", "x\\"])
def test_a_path_systemd_would_join_or_strip_is_refused(tmp_path, name):
    workdir = tmp_path / name
    workdir.mkdir()
    with pytest.raises(SecftError, match="cannot be written in a systemd unit"):
        service.render("systemd", workdir, 900, None, tmp_path / "env")
    with pytest.raises(SecftError, match="daemon.env_file"):
        service.render("systemd", tmp_path, 900, None, tmp_path / name / "env\\")
    assert service.render("launchd", workdir, 900, None)  # plistlib escapes it: fine there


@pytest.mark.parametrize("value", ["0", "-5"])
def test_interval_zero_or_negative_is_refused(tmp_path, monkeypatch, capsys, value):
    ws = make_workspace(tmp_path / "ws", artifacts=[])
    monkeypatch.chdir(ws)
    assert daemon.main(["--once", "--interval", value, "--profile", "smoke"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"--interval {value}" in err
