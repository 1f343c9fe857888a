from __future__ import annotations

from pathlib import Path

import pytest

from urbanfit.errors import ConfigError
from urbanfit.vehicles import load_vehicles, scenarios


def test_builtin_profiles_cover_the_design_list_and_kei_limits() -> None:
    catalog = load_vehicles()
    assert set(catalog.profiles) >= {
        "kei_car", "kei_truck", "compact_car", "midsize_sedan", "compact_suv",
        "fullsize_suv", "fullsize_pickup",
    }  # fmt: skip
    kei = [p for p in catalog.profiles.values() if p.vehicle_class == "kei"]
    assert kei and all(p.is_kei for p in kei)
    assert not catalog.profile("fullsize_pickup").is_kei
    assert all(p.source for p in catalog.profiles.values())


def test_scenario_shares_mix_base_and_kei_fleets() -> None:
    catalog = load_vehicles()
    runs = scenarios(catalog, kei_shares=(0.0, 0.25, 1.0))
    assert [r.id for r in runs] == ["kei000", "kei025", "kei100"]
    quarter = runs[1].shares
    # 25 % kei: kei_car 0.25 x 0.8 = 0.2, pickups 0.75 x 0.16 = 0.12
    assert quarter["kei_car"] == pytest.approx(0.2)
    assert quarter["fullsize_pickup"] == pytest.approx(0.12)
    assert sum(quarter.values()) == pytest.approx(1.0)
    assert set(runs[2].shares) == {"kei_car", "kei_truck"}
    # share-weighted mean length of the all-kei fleet is 3.40 m
    assert catalog.mean(runs[2].shares, "length_m") == pytest.approx(3.40)


def test_user_file_adds_a_profile_and_rejects_bad_shares(tmp_path: Path) -> None:
    good = tmp_path / "v.toml"
    good.write_text(
        '[profiles.bike_cart]\nlabel = "Cart"\nclass = "kei"\nlength_m = 2.5\nwidth_m = 1.2\n'
        'height_m = 1.5\nturning_radius_m = 3.0\nsource = "measured"\n'
    )
    assert load_vehicles(good).profile("bike_cart").length_m == 2.5
    bad = tmp_path / "bad.toml"
    bad.write_text('[fleets.x]\nsource = "s"\n[fleets.x.shares]\nkei_car = 0.5\n')
    with pytest.raises(ConfigError, match="shares sum to 0.5000, not 1"):
        load_vehicles(bad)
    broken = tmp_path / "broken.toml"
    broken.write_text("[profiles.x\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_vehicles(broken)
