"""Adoption path: survival arithmetic, cohort sums, interpolation and its measured error."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from urbanfit.adoption import PRESETS, load_adoption, with_values
from urbanfit.errors import ConfigError
from urbanfit.models.adoption import (
    AdoptionPath,
    cohort_table,
    fleet_share_by_year,
    half_year,
    interpolate_share,
    leave_one_out_error,
    stretch_for_mean_age,
    survival_by_age,
)
from urbanfit.models.council import FIGURES, adoption_model
from urbanfit.parameters.council import NHTSA_CAR_SURVIVAL, AdoptionParams, ValueParams

ALL_FROM_2030 = AdoptionPath("all", "all kei from 2030", ((2030, 1.0),), "test")
RAMP = AdoptionPath("ramp", "half in 2030, all in 2031", ((2030, 0.5), (2031, 1.0)), "test")
TOY = (0.8, 0.4)  # a made-up schedule: 80 % survive to age 1, 40 % to age 2, none to 3


def test_survival_starts_whole_and_stretches_in_age() -> None:
    # unstretched: [1, 0.8, 0.4]; stretched 2x: S(1) = S(0.5) = (1 + 0.8) / 2 = 0.9,
    # S(2) = S(1) = 0.8, S(3) = S(1.5) = (0.8 + 0.4) / 2 = 0.6, S(4) = S(2) = 0.4
    assert survival_by_age(TOY) == pytest.approx([1.0, 0.8, 0.4])
    assert survival_by_age(TOY, stretch=2.0) == pytest.approx([1.0, 0.9, 0.8, 0.6, 0.4])


def test_fleet_share_is_the_cohort_sum_of_surviving_model_years() -> None:
    survival = survival_by_age(TOY)  # sum 1 + 0.8 + 0.4 = 2.2
    years = np.arange(2029, 2034)
    # all sales kei from 2030: 2029 none; 2030 1/2.2; 2031 (1 + 0.8)/2.2; 2032 on 2.2/2.2
    assert fleet_share_by_year(ALL_FROM_2030, years, survival) == pytest.approx(
        [0.0, 1 / 2.2, 1.8 / 2.2, 1.0, 1.0]
    )
    # half in 2030, all from 2031: 2031 = (1 x 1 + 0.8 x 0.5) / 2.2 = 1.4 / 2.2
    assert fleet_share_by_year(RAMP, np.array([2031]), survival) == pytest.approx([1.4 / 2.2])


def test_cohort_table_adds_up_to_the_fleet_share() -> None:
    table = cohort_table(RAMP, 2031, survival_by_age(TOY))
    # age 0 (2031): 1/2.2 x 1.0; age 1 (2030): 0.8/2.2 x 0.5; age 2 (2029): 0.4/2.2 x 0
    assert list(table["model_year"]) == [2031, 2030, 2029]
    assert table["fleet_share"].sum() == pytest.approx(1.0)
    assert table["kei_fleet_share"].to_numpy() == pytest.approx([1 / 2.2, 0.4 / 2.2, 0.0])
    assert table["kei_fleet_share"].sum() == pytest.approx(1.4 / 2.2)


def test_nhtsa_schedule_first_year_of_the_central_path() -> None:
    # DOT HS 809 952 Table 3 sums to 12.7598 over ages 1-25; with age 0: 13.7598.
    # 2028, the path's first year at 5 % of sales: 0.05 x 1 / 13.7598 = 0.0036338
    survival = survival_by_age(NHTSA_CAR_SURVIVAL)
    assert survival.sum() == pytest.approx(13.7598)
    share = fleet_share_by_year(PRESETS["central"], np.array([2027, 2028]), survival)
    assert share == pytest.approx([0.0, 0.05 / 13.7598])


def test_stretch_finds_the_schedule_of_a_given_mean_age() -> None:
    # toy mean age (0 x 1 + 1 x 0.8 + 2 x 0.4) / 2.2 = 1.6 / 2.2 = 0.72727: stretch 1
    assert stretch_for_mean_age(TOY, 1.6 / 2.2) == pytest.approx(1.0, abs=1e-5)
    # today's US fleet (12.6 years) needs a longer life than the 2006 schedule's 7.29 years
    stretch = stretch_for_mean_age(NHTSA_CAR_SURVIVAL, 12.6)
    survival = survival_by_age(NHTSA_CAR_SURVIVAL, stretch=stretch)
    ages = np.arange(len(survival))
    assert (ages * survival).sum() / survival.sum() == pytest.approx(12.6, abs=1e-3)
    assert 1.6 < stretch < 1.8


def test_interpolation_is_linear_between_run_shares_and_never_extrapolates() -> None:
    shares, values = (0.0, 0.25, 0.5, 1.0), (0.0, 10.0, 30.0, 100.0)
    # 0.1: 10 x 0.1 / 0.25 = 4; 0.75: 30 + 70 x 0.5 = 65
    out = interpolate_share(shares, values, np.array([0.1, 0.75, 1.0]))
    assert out == pytest.approx([4.0, 65.0, 100.0])
    assert np.isnan(interpolate_share((0.0, 0.5), (0.0, 3.0), np.array([0.6])))[0]


def test_leave_one_out_error_measures_the_interpolation() -> None:
    # 0.25 from (0, 0) and (0.5, 30): 15 vs 10 -> 5; 0.5 from (0.25, 10) and (1, 100):
    # 10 + 90 x 0.25 / 0.75 = 40 vs 30 -> 10 (10 % of the 0-100 change), the largest
    error = leave_one_out_error((0.0, 0.25, 0.5, 1.0), (0.0, 10.0, 30.0, 100.0))
    assert error == pytest.approx({"max_abs": 10.0, "max_pct_of_full": 10.0, "at_share": 0.5})
    assert leave_one_out_error((0.0, 1.0), (0.0, 5.0))["max_abs"] is None


def test_half_year_is_the_first_year_at_half_the_full_value() -> None:
    years = np.arange(2030, 2035)
    assert half_year(years, np.array([0.0, 20.0, 40.0, 50.0, 60.0]), 100.0) == 2033
    assert half_year(years, np.array([0.0, 20.0, 40.0, 45.0, 49.0]), 100.0) is None
    assert half_year(years, np.array([0.0, -20.0, -60.0, 0, 0]), -100.0) == 2032


def test_adoption_model_lays_scenario_figures_along_the_years() -> None:
    figures = pd.DataFrame(
        {
            "kei_share": [0.0, 0.5, 1.0],
            "curb_spaces_gained": [0.0, 40.0, 100.0],
            "curb_spaces_gained_low": [0.0, 30.0, 80.0],
            "curb_spaces_gained_high": [0.0, 50.0, 120.0],
            "land_freed_ha": [0.0, 1.0, 2.0],
            "land_freed_ha_low": [0.0, 1.0, 2.0],
            "land_freed_ha_high": [0.0, 1.0, 2.0],
            "delay_saved_veh_h": [np.nan] * 3,
            "delay_saved_veh_h_low": [np.nan] * 3,
            "delay_saved_veh_h_high": [np.nan] * 3,
            "curb_freed_km": [0.0, 0.5, 1.0],
            "curb_freed_km_low": [0.0, 0.5, 1.0],
            "curb_freed_km_high": [0.0, 0.5, 1.0],
        },
        index=pd.Index(["kei000", "kei050", "kei100"], name="scenario"),
    )
    params = AdoptionParams(survival=TOY, fleet_mean_age_years=1.6 / 2.2, base_year=2029,
                            end_year=2033, headline_year=2031)  # fmt: skip
    result = adoption_model(ALL_FROM_2030, figures, params=params, values=ValueParams())
    table = result.timeline.set_index("year")
    # 2031: fleet share 1.8 / 2.2 = 0.81818 (stretch 1: the fast turnover is the same);
    # curb 40 + 60 x (0.81818 - 0.5) / 0.5 = 78.18; ends 30 + 50 x 0.63636 = 61.82 and 50 +
    # 70 x 0.63636 = 94.55; as structured spaces 78.18 x 52,000 = 4,065,455 USD
    assert table.loc[2031, "fleet_kei_share"] == pytest.approx(1.8 / 2.2, abs=1e-5)
    assert table.loc[2031, "curb_spaces_gained"] == pytest.approx(78.18, abs=0.01)
    assert table.loc[2031, "curb_spaces_gained_low"] == pytest.approx(61.82, abs=0.01)
    assert table.loc[2031, "curb_spaces_gained_high"] == pytest.approx(94.55, abs=0.01)
    assert table.loc[2031, "curb_structured_usd"] == pytest.approx(78.1818 * 52000, rel=1e-4)
    assert table["delay_saved_veh_h"].isna().all()
    # curb freed 0.5 + 0.5 x 0.63636 = 0.81818 km: street trees every 30 ft (9.144 m), 89.48
    assert table.loc[2031, "street_trees"] == pytest.approx(818.18 / 9.144, abs=0.01)
    halves = result.summary["half_years"]
    # half of 100 spaces: 50 is passed in 2031 (78); of 2 ha: 1 ha also in 2031 (1.64 ha)
    assert halves["curb_spaces_gained_half_year"] == 2031
    assert halves["land_freed_ha_half_year"] == 2031
    assert halves["delay_saved_veh_h_half_year"] is None
    # the one inner scenario, 50 %, read from 0 % and 100 %: 50 vs 40 spaces
    assert result.summary["interpolation_error"]["curb_spaces_gained_max_abs"] == 10.0
    assert set(FIGURES) <= set(result.timeline.columns)


def test_presets_and_a_toml_file_with_value_overrides(tmp_path: Path) -> None:
    assert load_adoption("central") == (PRESETS["central"], {})
    file = tmp_path / "council.toml"
    file.write_text(
        'label = "Ours"\nsource = "council motion"\n[sales_share]\n2035 = 0.2\n2029 = 0.05\n'
        "[values]\nland_usd_per_acre = 2000000\n",
        encoding="utf-8",
    )
    path, values = load_adoption(file)
    assert path.points == ((2029, 0.05), (2035, 0.2))
    assert with_values(ValueParams(), values).land_usd_per_acre == 2_000_000


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('source = "x"\n[sales_share]\nsoon = 0.1\n', "'soon' is not a year"),
        ('source = "x"\n[sales_share]\n2030 = 1.5\n', "between 0 and 1"),
        ("[sales_share]\n2030 = 0.1\n", "needs a source"),
        ('source = "x"\n[sales_share]\n2030 = 0.1\n[values]\nprice = 3\n', "unknown value"),
        (  # the county table is not a number a file can set
            'source = "x"\n[sales_share]\n2030 = 0.1\n[values]\ncounty_land_prices = 3\n',
            "unknown value",
        ),
        ('source = "x"\n', "needs a [sales_share] table"),
    ],
)
def test_bad_adoption_files_give_one_readable_error(
    tmp_path: Path, text: str, message: str
) -> None:
    file = tmp_path / "bad.toml"
    file.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message.replace("[", r"\[")):
        load_adoption(file)
    with pytest.raises(ConfigError, match="a preset"):
        load_adoption("quick")


def test_analyze_with_an_adoption_path_writes_timeline_table_chart_and_report(
    tmp_path: Path,
) -> None:
    from typer.testing import CliRunner

    from urbanfit.cli import app
    from urbanfit.render.schema import validate_summary

    town = Path(__file__).parent / "data" / "town.osm"
    args = ["analyze", "--osm-file", str(town), "--name", "town", "--no-congestion"]
    done = CliRunner().invoke(app, [*args, "--adoption", "fast", "--out", str(tmp_path)])
    assert done.exit_code == 0, done.output
    folder = tmp_path / "town"
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    validate_summary(summary)
    adoption = summary["adoption"]
    timeline = pd.read_csv(folder / "tables" / "adoption_timeline.csv")
    assert list(timeline["year"]) == list(range(2026, 2061))
    # the fast path sells 10 % kei in 2027: in 2027 that one model year is 0.10 / sum(S) of
    # the fleet, sum(S) of the stretched schedule (mean age 12.6 years)
    stretch = adoption["survival_stretch"]
    total = survival_by_age(NHTSA_CAR_SURVIVAL, stretch=stretch).sum()
    assert timeline.loc[1, "fleet_kei_share"] == pytest.approx(0.10 / total, rel=1e-3)
    cohorts = pd.read_csv(folder / "tables" / "adoption_cohorts.csv")
    row = timeline[timeline["year"] == adoption["cohort_year"]].iloc[0]
    assert cohorts["kei_fleet_share"].sum() == pytest.approx(row["fleet_kei_share"], rel=1e-6)
    assert (folder / "figures" / "adoption_timeline.png").stat().st_size > 10_000
    report = (folder / "report.md").read_text(encoding="utf-8")
    assert "When, how safe, and what worth" in report
    # the timeline's sentence leads the headlines, the council brief and the executive summary
    lead = summary["headlines"][0]
    row = timeline[timeline["year"] == 2040].iloc[0]
    assert lead.startswith(f"By 2040, on the fast path ({100 * row['fleet_kei_share']:.1f} % of")
    assert " worth $" in lead
    # spaces are counted whole: the timeline's figure rounded, not 44.7 spaces
    spaces = f"{row['curb_spaces_gained']:,.0f} ("
    assert (
        f"kei; {100 * row['fleet_kei_share_fast_turnover']:.1f} % with fast turnover): {spaces}"
        in lead
    )
    assert lead not in summary["headlines"][1:]
    for heading in ("# Kei cars in town: council brief", "## Executive summary"):
        after = report.split(heading, 1)[1].split("\n\n")
        assert after[1].strip() == lead, heading
    assert report.count(lead) == 3  # brief, executive summary, the timeline section
    # the fast path's sales stop at 35 % kei: no figure reaches half its 100 % value
    assert set(adoption["half_years"].values()) == {None}
    assert "On this path kei never pass 35 % of new sales" in report
    assert "By 2040, on the fast path" in report
    assert "relative risks per crash, not crash counts" in report
    bad = CliRunner().invoke(app, [*args, "--adoption", "soon", "--out", str(tmp_path)])
    assert bad.exit_code == 2
    assert "--adoption must be a preset (slow, central, fast) or a .toml file" in bad.output


def test_report_says_why_there_is_no_half_way_year_without_a_100_percent_run() -> None:
    from urbanfit.render.council import council_blocks
    from urbanfit.render.document import markdown_text

    row = {"year": 2040, "sales_kei_share": 0.2, "fleet_kei_share": 0.084,
           "fleet_kei_share_fast_turnover": 0.134, "curb_spaces_gained": 12.0}  # fmt: skip
    summary = {
        "scenarios": [{"id": "kei000", "label": "0 % kei"}, {"id": "kei050", "label": "50 % kei"}],
        "scenario_roles": {"baseline": "kei000", "headline": "kei050"},
        "adoption": {
            "path_id": "central",
            "headline_year": 2040,
            "largest_run_kei_share": 0.5,
            "half_years": {"curb_spaces_gained_half_year": None},
            "interpolation_error": {},
            "timeline": [row],
        },
    }
    text = markdown_text(council_blocks(summary, {}, safety_edges=None))
    assert "No half-way years: this run has no 100 % kei scenario." in text
    # 12 spaces by 2040 at 8.4 % of the fleet (13.4 % with fast turnover); no value: n/a
    assert "By 2040, on the central path (8.4 % of the fleet kei; 13.4 % with fast" in text
    assert "| 2040 | 20.0 | 8.4 (13.4) | 12 |" in text


def test_the_map_says_the_safety_trade_off_at_each_share_from_the_summary() -> None:
    from urbanfit.council_text import safety_sentence

    row = {
        "pedestrian_risk_change_pct": -7.27,
        "pedestrian_risk_change_low_pct": -7.27,
        "pedestrian_risk_change_high_pct": -7.16,
        "occupant_risk_change_pct": 19.42,
        "occupant_risk_change_low_pct": 9.93,
        "occupant_risk_change_high_pct": 29.35,
    }
    summary = {"safety": {"scenarios": {"kei050": row}, "withheld": None}}
    line = safety_sentence(summary, "kei050", "50 % kei")
    # the pedestrian ends round to -7.3 and -7.2: shown; the occupant range +9.9 to +29.4
    assert line == (
        "Safety at 50 % kei, per crash (not crash counts): a struck pedestrian's death risk "
        "-7.3 % (-7.3 to -7.2), weighted by the crossings and bus stops mapped; a driver's in a "
        "two-vehicle crash +19.4 % (+9.9 to +29.4) (the fleet mix's, the same in every city)"
    )
    assert safety_sentence(summary, "kei100", "100 % kei") is None
    summary["safety"]["withheld"] = "too few crossings mapped"
    assert safety_sentence(summary, "kei050", "50 % kei") is None
