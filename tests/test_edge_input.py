"""What a user types at the edge: names, output folders, presets, vehicle files, shares, signals.

Each case ends in one clear sentence and a non-zero exit, or works, and loses nothing.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from urbanfit import cli
from urbanfit.cities import output_slug, slugify
from urbanfit.errors import ConfigError
from urbanfit.render.export import staged_folder
from urbanfit.vehicles import load_vehicles

runner = CliRunner()
TOWN = Path(__file__).parent / "data" / "town.osm"
FAST = ("--no-congestion",)


def _run(*args: str, env: dict[str, str] | None = None):
    return runner.invoke(cli.app, list(args), env={"COLUMNS": "200", **(env or {})})


# --name ---------------------------------------------------------------------------------------


def test_rich_markup_in_a_name_is_printed_literally(tmp_path: Path) -> None:
    name = "[red]Evil[/x] Town"
    result = _run("analyze", "--osm-file", str(TOWN), "--name", name, *FAST, "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "[red]Evil[/x] Town:" in result.output
    # slug of "[red]Evil[/x] Town": punctuation runs become one hyphen
    assert json.loads((tmp_path / "red-evil-x-town" / "summary.json").read_text())


def test_non_latin_names_get_distinct_stable_slugs(tmp_path: Path) -> None:
    kyoto, moscow = slugify("京都"), slugify("Москва")
    assert kyoto != moscow
    assert kyoto.startswith("city-") and len(kyoto) == len("city-") + 8
    assert slugify("京都") == kyoto  # stable: a hash of the name, not a counter
    # Latin names keep their readable slugs (accents dropped, no hash)
    assert slugify("Zürich") == "zurich" and slugify("Łódź") == "lodz"
    assert slugify("Kyoto 京都").startswith("kyoto-")
    for name in ("京都", "Москва"):
        args = ("--osm-file", str(TOWN), "--name", name, *FAST, "--out", str(tmp_path))
        done = _run("analyze", *args)
        assert done.exit_code == 0, done.output
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([kyoto, moscow])


def test_one_slug_rule_for_analyze_compare_and_batch() -> None:
    assert output_slug("helsinki") == "helsinki"  # a preset: its slug
    assert output_slug("Portland, Oregon") == "portland-oregon"  # a place name
    assert output_slug("helsinki", name="京都") == slugify("京都")  # --name wins


# --out ----------------------------------------------------------------------------------------


def test_an_out_that_is_a_file_is_refused_before_the_analysis(tmp_path: Path) -> None:
    blocker = tmp_path / "outputs"
    blocker.write_text("not a folder")
    # a place name against a closed port: had the analysis started, the error would be network
    env = {"URBANFIT_NOMINATIM_URL": "http://127.0.0.1:9/", "URBANFIT_CACHE": str(tmp_path)}
    result = _run("analyze", "Somewhere", "--out", str(blocker), env=env)
    assert result.exit_code == 2
    assert f"cannot write outputs to {blocker}: it is a file, not a folder" in result.output
    assert blocker.read_text() == "not a folder"


def test_an_out_under_proc_is_refused_before_the_analysis(tmp_path: Path) -> None:
    env = {"URBANFIT_NOMINATIM_URL": "http://127.0.0.1:9/", "URBANFIT_CACHE": str(tmp_path)}
    result = _run("analyze", "Somewhere", "--out", "/proc/urbanfit-outputs", env=env)
    assert result.exit_code == 2
    assert "cannot write outputs to /proc/urbanfit-outputs" in result.output
    assert "Nominatim" not in result.output


# presets and vehicle files --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('name = "X"\nextract = 5\n', "extract must be text in quotes, got int 5"),
        ('name = "X"\nplace = 12345\n', "place must be text in quotes, got int 12345"),
        ('name = "X"\nbbox = [1, 2, 1e400, 4]\n', "bbox must be four numbers"),
        ('name = "X"\nbbox = [200, 0, 201, 1]\n', "longitudes must lie in [-180, 180]"),
    ],
)
def test_preset_fields_of_the_wrong_type_name_file_and_field(
    tmp_path: Path, body: str, message: str
) -> None:
    preset = tmp_path / "odd.toml"
    preset.write_text(body)
    result = _run("analyze", str(preset), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert "preset odd.toml" in result.output and message in result.output
    assert "Traceback" not in result.output


_PROFILE = '[profiles.cart]\nlabel = "Cart"\nclass = "kei"\nwidth_m = 1.2\nheight_m = 1.5\n'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("profiles = 5\n", "profiles must be a table of [profiles.<id>] tables, got int"),
        ('fleets = "x"\n', "fleets must be a table of [fleets.<id>] tables, got str"),
        (_PROFILE + 'turning_radius_m = 4\nsource = "s"\nlength_m = nan\n', "length_m must be"),
        (_PROFILE + 'turning_radius_m = inf\nsource = "s"\nlength_m = 2\n', "finite number"),
    ],
)
def test_bad_vehicle_files_name_file_and_field(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "v.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_vehicles(path)
    assert str(path) in str(caught.value) and message in str(caught.value)


def test_a_vehicle_file_that_is_not_utf8_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "v.toml"
    # Latin-1: 16 bytes of "[profiles.cart]\n" + 12 of 'label = "Caf', so 0xe9 is byte 28
    path.write_bytes(b'[profiles.cart]\nlabel = "Caf\xe9"\n')
    result = _run("vehicles", "--vehicles-file", str(path))
    assert result.exit_code == 2
    assert f"vehicle file {path} is not UTF-8 text (byte 28)" in result.output


# --kei-shares ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shares", "message"),
    [
        ("0,50,50", "kei share 50 % is given twice"),
        ("25,25.0,100", "kei share 25 % is given twice"),
        ("0,150", "between 0 and 100 %, got 150 %"),
        ("-5,0", "got -5 %"),
    ],
)
def test_kei_shares_are_checked_in_percent(tmp_path: Path, shares: str, message: str) -> None:
    result = _run("analyze", "helsinki", "--kei-shares", shares, "--out", str(tmp_path))
    assert result.exit_code == 2
    assert message in result.output
    assert list(tmp_path.iterdir()) == []


# signals and leftovers ------------------------------------------------------------------------

_HOLD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from urbanfit.cli import handle_sigterm
    from urbanfit.render.export import staged_folder

    handle_sigterm()
    try:
        with staged_folder(Path(sys.argv[1])) as staging:
            (staging / "half.txt").write_text("half")
            print("staged", flush=True)
            time.sleep(60)
    except KeyboardInterrupt:
        print("interrupted", flush=True)
        sys.exit(130)
    """
)


def _hold(target: Path) -> subprocess.Popen[str]:
    child = subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(target)], stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "staged"
    return child


def _hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_sigterm_rolls_back_the_staging_like_ctrl_c(tmp_path: Path) -> None:
    target = tmp_path / "city"
    target.mkdir()
    (target / "summary.json").write_text("previous")
    child = _hold(target)
    assert len(_hidden(tmp_path)) == 1  # the staging folder
    child.send_signal(signal.SIGTERM)
    out, _ = child.communicate(timeout=30)
    assert child.returncode == 130 and "interrupted" in out
    assert _hidden(tmp_path) == []
    assert (target / "summary.json").read_text() == "previous"


def test_a_killed_runs_staging_is_removed_by_the_next_run(tmp_path: Path) -> None:
    target = tmp_path / "city"
    child = _hold(target)
    child.kill()  # SIGKILL: no handler runs, the staging folder stays
    child.communicate(timeout=30)
    assert len(_hidden(tmp_path)) == 1
    with staged_folder(target) as staging:
        (staging / "summary.json").write_text("new")
    assert _hidden(tmp_path) == []
    assert (target / "summary.json").read_text() == "new"


def test_a_retired_output_left_by_a_killed_run_is_put_back(tmp_path: Path) -> None:
    # killed between "move the old output aside" and "move the new one in": pid 2**22 + 1
    # is above Linux's largest pid (pid_max is at most 2**22), so no process has it
    retired = tmp_path / f".city.old-{2**22 + 1}-0badc0de"
    retired.mkdir()
    (retired / "summary.json").write_text("previous")
    with staged_folder(tmp_path / "other"):
        pass  # another city: leaves city's leftovers alone
    assert retired.is_dir()
    with pytest.raises(RuntimeError), staged_folder(tmp_path / "city"):
        raise RuntimeError("this run fails too")
    assert (tmp_path / "city" / "summary.json").read_text() == "previous"
    assert _hidden(tmp_path) == []


def test_sigterm_to_a_running_analysis_ends_it_cleanly(tmp_path: Path) -> None:
    child = subprocess.Popen(
        [sys.executable, "-m", "urbanfit", "analyze", "helsinki", "--out", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(4.0)  # importing and reading Helsinki take longer than this
    assert child.poll() is None
    child.send_signal(signal.SIGTERM)
    _out, err = child.communicate(timeout=60)
    assert child.returncode == 130
    assert "interrupted" in err and "Traceback" not in err
    assert _hidden(tmp_path) == []


# -v, validate-assignment ----------------------------------------------------------------------


def _crash(*_args: object, **_kwargs: object) -> None:
    raise ValueError("boom")


@pytest.fixture
def sigterm_restored():
    saved = signal.getsignal(signal.SIGTERM)
    yield
    signal.signal(signal.SIGTERM, saved)


@pytest.mark.parametrize("verbose", [False, True])
@pytest.mark.usefixtures("sigterm_restored")
def test_an_internal_error_shows_its_traceback_only_with_v(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], verbose: bool
) -> None:
    monkeypatch.setattr("urbanfit.cities.list_presets", _crash)
    monkeypatch.setattr(sys, "argv", ["urbanfit", *(["-v"] if verbose else []), "cities"])
    monkeypatch.setitem(os.environ, "COLUMNS", "200")
    with pytest.raises(SystemExit) as caught:
        cli.main()
    err = capsys.readouterr().err
    assert caught.value.code == 1
    assert "internal error: ValueError: boom (run with -v for the traceback" in err
    assert ("Traceback (most recent call last)" in err) is verbose


def test_validate_assignment_given_a_file_asks_for_a_folder(tmp_path: Path) -> None:
    net = tmp_path / "SiouxFalls_net.tntp"
    net.write_text("<NUMBER OF NODES> 1\n")
    result = _run("validate-assignment", str(net))
    assert result.exit_code == 2
    assert "is a file; validate-assignment needs the folder" in result.output
