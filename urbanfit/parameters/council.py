"""Defaults of the adoption path, the safety trade-off and the value figures.

Every value carries its unit and source (`param`). Where no publication gives the number, it is
labelled a modelling assumption and the reasoning is stated. Money is in US dollars of the year
its source states (no inflation adjustment is made: say so where money is shown).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from urbanfit.parameters.base import param
from urbanfit.parameters.parking import FT

__all__ = [
    "COUNTY_LAND_PRICES",
    "NHTSA_CAR_SURVIVAL",
    "TEFFT_2011_DEATH",
    "TEFFT_2013_DEATH",
    "AdoptionParams",
    "CouncilParams",
    "CountyLandPrice",
    "SafetyParams",
    "ValueParams",
]

NHTSA_CAR_SURVIVAL = (
    0.9900, 0.9831, 0.9731, 0.9593, 0.9413, 0.9188, 0.8918, 0.8604, 0.8252, 0.7866,
    0.7170, 0.6125, 0.5094, 0.4142, 0.3308, 0.2604, 0.2028, 0.1565, 0.1200, 0.0916,
    0.0696, 0.0527, 0.0399, 0.0301, 0.0227,
)  # fmt: skip
"""Share of passenger cars still registered at ages 1..25 years (Lu 2006, Table 3)."""

_NHTSA = (
    "Lu, S. (2006), Vehicle Survivability and Travel Mileage Schedules, NHTSA Technical Report "
    "DOT HS 809 952, Table 3 (passenger cars, 1977-2002 registrations), survival at ages 1-25"
)

TEFFT_2013_DEATH = ((24.1, 0.10), (32.5, 0.25), (40.6, 0.50), (48.0, 0.75), (54.6, 0.90))
"""Impact speed (mph) at which a struck pedestrian's risk of death reaches each share."""
TEFFT_2011_DEATH = ((23.0, 0.10), (32.0, 0.25), (42.0, 0.50), (50.0, 0.75), (58.0, 0.90))
"""The same five points as the AAA Foundation report gives them (rounded, an earlier fit)."""

_IIHS = (
    "Hu, Monfort & Cicchino (2023), IIHS study of 17,897 single-vehicle pedestrian crashes "
    "(front-end measurements of 2,958 models; speed limit and pedestrian age and sex "
    "controlled): "
)


@dataclass(frozen=True)
class AdoptionParams:
    """
    Fleet turnover: how a kei share of new sales becomes a kei share of the vehicles on the street.

    The fleet's age mix is the steady state of flat annual sales through the survival curve
    (share of age ``a`` proportional to ``S(a)``); the central curve is the NHTSA schedule
    stretched in age so that this steady state's mean age is today's US mean age.
    """

    survival: tuple[float, ...] = param(
        NHTSA_CAR_SURVIVAL, "share surviving at ages 1..25 years", _NHTSA
    )
    fleet_mean_age_years: float = param(
        12.6,
        "years",
        "mean age of US light vehicles in operation, S&P Global Mobility (2024); the survival "
        "curve is stretched in age (S(a / f), linear between the table's ages, 0 past age 25 f) "
        "until the steady-state fleet has this mean age. The unstretched 2006 schedule "
        "(steady-state mean age 7.3 years) is the fast-turnover end of the range",
    )
    base_year: int = param(
        2026, "year", "modelling assumption: the first year of the timeline, the current year"
    )
    headline_year: int = param(
        2040,
        "year",
        "modelling assumption: the year the adoption headline quotes, a 15-year planning horizon",
    )
    end_year: int = param(
        2060,
        "year",
        "modelling assumption: the last year of the timeline, long enough for a vehicle sold in "
        "the late 2020s to leave the fleet under the stretched schedule (about 40 years)",
    )


@dataclass(frozen=True)
class SafetyParams:
    """
    Relative fatality risks per crash: pedestrians by impact speed and front end, occupants by mass.

    Both are risks *per crash*, not crash counts: how often crashes happen is not modelled.
    """

    pedestrian_death_mph: tuple[tuple[float, float], ...] = param(
        TEFFT_2013_DEATH,
        "(mph, probability)",
        "Tefft, B.C. (2013), Impact speed and a pedestrian's risk of severe injury or death, "
        "Accident Analysis & Prevention 50: 871-878 (AAA Foundation; US pedestrian crashes "
        "1994-1998, standardised to the 2007-2009 struck-pedestrian mix): risk of death 10 % "
        "at 24.1 mph ... 90 % at 54.6 mph; the log-odds are interpolated linearly in speed "
        "between the points and extended along the end segments",
    )
    pedestrian_death_mph_alt: tuple[tuple[float, float], ...] = param(
        TEFFT_2011_DEATH,
        "(mph, probability)",
        "Tefft, B.C. (2011), Impact Speed and a Pedestrian's Risk of Severe Injury or Death, AAA "
        "Foundation for Traffic Safety report: 10 % at 23 mph ... 90 % at 58 mph; the other "
        "end of the pedestrian range",
    )
    front_odds_ratio: tuple[tuple[str, float], ...] = param(
        (("low", 1.0), ("mid_sloped", 1.0), ("mid_blunt", 1.26), ("tall", 1.45)),
        "odds ratio of death",
        _IIHS + "against hood leading edges of 30 in or less with a sloped front (low, 1.0), "
        "30-40 in with a blunt front 26 % more likely to kill (mid_blunt 1.26), 30-40 in "
        "sloped not found higher (mid_sloped 1.0), over 40 in 45 % (sloped) or 44 % (blunt) "
        "more likely (tall 1.45); applied to the odds of Tefft's curve. Tefft's curve is "
        "taken as the low class's (modelling assumption; only the change is reported)",
    )
    low_edge_m: float = param(0.762, "m", _IIHS + "30 in upper bound of the low class")
    tall_edge_m: float = param(1.016, "m", _IIHS + "40 in lower bound of the tall class")
    mass_exponent: float = param(
        3.58,
        "-",
        "Evans, L. (2004), Traffic Safety, ch. 4, after Evans & Frick (1993), Mass ratio and "
        "relative driver fatality risk in two-vehicle crashes, Accident Analysis & Prevention "
        "25(2): 213-224: the driver fatality risk ratio of the lighter to the heavier car "
        "R = (m_heavy / m_light)^u, u = 3.58 fitted to US two-car crashes (FARS)",
    )
    mass_exponent_low: float = param(
        2.7,
        "-",
        "Evans & Frick (1993): a driver moving to a car 1 % lighter raises the risk ratio by "
        "2.7 % to 4.3 % depending on model year and crash type; low end",
    )
    mass_exponent_high: float = param(4.3, "-", "Evans & Frick (1993): high end (see low)")
    exposure_min_points: int = param(
        20,
        "points",
        "modelling assumption: with fewer crossings and bus stops mapped than this, the "
        "exposure-weighted city figure rests on too few streets and the report says so (the "
        "length-weighted figure stands beside it)",
    )
    exposure_min_km_share: float = param(
        0.05,
        "-",
        "modelling assumption: where the streets with a mapped crossing or bus stop make up "
        "less than this share of street km, the mapping is too sparse to weight by exposure "
        "and the report says so",
    )
    exposure_snap_m: float = param(
        15.0,
        "m",
        "modelling assumption: a mapped crossing or bus stop counts towards the street edge "
        "within this distance of it (about a street's half width plus a sidewalk)",
    )


_UCLA = (
    "UCLA Institute of Transportation Studies (2026), No such thing as free parking (2025 "
    "construction costs of Rider Levett Bucknall, 17 US cities, land excluded): "
)


@dataclass(frozen=True)
class CountyLandPrice:
    """
    A published price of single-family residential land in one US county.

    Attributes
    ----------
    county
        County and state, e.g. ``"King County, WA"``.
    bbox
        West, south, east, north (degrees): the county's extent, approximate; a study area whose
        centre lies inside takes this price.
    usd_per_acre, low, high
        The price and its range (dollars of ``year``, an acre of land under single-family homes).
    year
        The year the price is of.
    source
        Where the figure is published.
    """

    county: str
    bbox: tuple[float, float, float, float]
    usd_per_acre: float
    low: float
    high: float
    year: int
    source: str


_FHFA_2017 = (
    "Davis, Larson, Oliner & Shui, The Price of Residential Land for Counties, ZIP Codes, and "
    "Census Tracts in the United States, FHFA Staff Working Paper 19-01, county data of January "
    "2019 (as-is price of land under single-family homes, 2017), as quoted by R. O'Toole, The "
    "Antiplanner, 29 January 2019: about $1.3 million an acre in 2017 (secondary quotation, "
    "rounded to $0.1 million, so $1.25-1.35 million)"
)
_EXTENT = (
    "; county extent: approximate bounding box of its outline (modelling assumption), so a "
    "neighbouring suburb inside the box takes this county's price"
)

COUNTY_LAND_PRICES = (
    CountyLandPrice(
        "King County, WA", (-122.55, 47.05, -121.05, 47.80), 1.3e6, 1.25e6, 1.35e6, 2017,
        _FHFA_2017 + _EXTENT,
    ),
    CountyLandPrice(
        "Multnomah County, OR", (-122.95, 45.40, -121.80, 45.75), 1.3e6, 1.25e6, 1.35e6, 2017,
        _FHFA_2017 + _EXTENT,
    ),
)  # fmt: skip
"""Published county land prices found for the places urbanfit's presets and test files cover.

None was found to cite for San Bernardino County, CA or Franklin County, OH (Columbus), nor a
national median: there the land price stays the user's to give."""

_CURB_USE = (
    "the freed curb is a total length scattered along every parked curb (the same cars "
    "parked closer), so these are lengths and counts, not a connected network or sited zones: "
)


@dataclass(frozen=True)
class ValueParams:
    """
    Prices of freed curb, lot land and delay, and the standards of curb uses; users may override.

    The curb-use standards read freed curb as bike lanes, loading zones or street trees.

    Land takes the user's ``land_usd_per_acre`` (an adoption file's ``[values]``), else the
    published price of the county holding the study area (`COUNTY_LAND_PRICES`), else none: the
    full FHFA county and tract data are a download this tool does not reach offline, and no
    national figure was found to cite.
    """

    surface_usd_per_space: float = param(
        4000.0,
        "USD per space",
        "Shoup, The High Cost of Free Parking (2005), as commonly quoted: about $4,000 per "
        "surface space to build, land excluded (secondary quotation; 2005 dollars)",
    )
    surface_usd_per_space_low: float = param(
        3000.0, "USD per space", "modelling assumption: low end for a surface space"
    )
    surface_usd_per_space_high: float = param(
        10000.0, "USD per space", "modelling assumption: high end for a surface space"
    )
    structured_usd_per_space: float = param(
        52000.0, "USD per space", _UCLA + "above-ground structures average $52,000 per space"
    )
    structured_usd_per_space_low: float = param(
        29000.0, "USD per space", _UCLA + "lowest city (Phoenix; Washington, D.C.)"
    )
    structured_usd_per_space_high: float = param(
        99000.0, "USD per space", _UCLA + "highest city (Portland, Oregon)"
    )
    land_usd_per_acre: float | None = param(
        None,
        "USD per acre",
        "the user's land price ([values] of an adoption file), which wins over the county "
        "table; none by default: the county's published price where the study area lies in "
        "`county_land_prices`, else no dollar figure for lot land",
    )
    land_usd_per_acre_low: float | None = param(
        None, "USD per acre", "the user's low end of land_usd_per_acre (default: the price itself)"
    )
    land_usd_per_acre_high: float | None = param(
        None, "USD per acre", "the user's high end of land_usd_per_acre (default: the price itself)"
    )
    county_land_prices: tuple[CountyLandPrice, ...] = param(
        COUNTY_LAND_PRICES,
        "USD per acre by county",
        "single-family residential land, a lower bound for downtown commercial land; each "
        "county's source, year and extent in its row. Where none holds the study area and no "
        "price is given, lot land is shown as acres and homes only",
    )
    homes_per_acre: float = param(
        30.0,
        "dwelling units per acre",
        "modelling assumption: a stated density for housing on freed lot land, mid-range "
        "multifamily (garden and low-rise apartments); low and high ends below",
    )
    homes_per_acre_low: float = param(15.0, "dwelling units per acre", "modelling assumption")
    homes_per_acre_high: float = param(60.0, "dwelling units per acre", "modelling assumption")
    value_of_time_usd_per_h: float = param(
        17.0,
        "USD per person-hour",
        "US DOT, Benefit-Cost Analysis Guidance for Discretionary Grant Programs (February "
        "2021): value of travel time savings, all purposes (2019 dollars)",
    )
    value_of_time_low_factor: float = param(
        0.7,
        "-",
        "US DOT, Revised Departmental Guidance on Valuation of Travel Time (2016): plausible "
        "range for local personal travel 35-60 % of hourly income about the 50 % value; "
        "35/50 = 0.7",
    )
    value_of_time_high_factor: float = param(1.2, "-", "US DOT (2016): 60/50 = 1.2 (see low)")
    vehicle_occupancy: float = param(
        1.67,
        "persons per vehicle",
        "US DOT BCA guidance (February 2021): average vehicle occupancy, all travel, from the "
        "2017 National Household Travel Survey",
    )
    peak_hours_per_year: float = param(
        500.0,
        "h per year",
        "modelling assumption: the assigned peak hour stands for the morning and the evening "
        "peak on 250 working days (2 x 250); the Urban Mobility Report annualises delay "
        "likewise from weekday peaks",
    )
    peak_hours_per_year_low: float = param(
        250.0, "h per year", "modelling assumption: one peak hour on 250 working days"
    )
    peak_hours_per_year_high: float = param(
        750.0, "h per year", "modelling assumption: three peak-like hours on 250 working days"
    )
    bike_lane_km_per_curb_km: float = param(
        1.0,
        "km of one-way bike lane per km of curb",
        _CURB_USE + "a freed parking lane (7-9 ft, NACTO Urban Street Design Guide, 2013) is "
        "wider than the 5 ft minimum of a bike lane beside a curb (NACTO Urban Bikeway Design "
        "Guide, 2nd ed. 2014, conventional bike lanes; AASHTO Guide for the Development of "
        "Bicycle Facilities, 1999), so one km of it holds one km of one-way bike lane",
    )
    loading_zone_m: float = param(
        round(30 * FT, 4),
        "m",
        _CURB_USE + "Boise City Code 6-11-1(B): curb loading zones are 25 to 30 ft long (or "
        "multiples); the longer end for the central count (the NACTO guides give no single "
        "loading-zone length)",
    )
    loading_zone_m_short: float = param(
        round(25 * FT, 4), "m", "Boise City Code 6-11-1(B): the shorter end, 25 ft (more zones)"
    )
    tree_spacing_m: float = param(
        round(30 * FT, 4),
        "m",
        _CURB_USE + "City of Los Angeles, Bureau of Street Services, Tree Spacing Guidelines: 30 "
        "ft between street trees for estimating purposes (in-street tree pits in line with the "
        "parking lane, as the NACTO Urban Street Design Guide shows them; it sets spacing by "
        "species and pit size, with no single figure)",
    )
    tree_spacing_m_close: float = param(
        round(25 * FT, 4),
        "m",
        "City of Los Angeles, Bureau of Street Services: desirable spacing 25-40 ft by species; "
        "the close end (more trees)",
    )
    tree_spacing_m_wide: float = param(
        round(40 * FT, 4), "m", "City of Los Angeles, Bureau of Street Services: the wide end"
    )


@dataclass(frozen=True)
class CouncilParams:
    """The three groups together (a field of `urbanfit.parameters.Parameters`)."""

    adoption: AdoptionParams = field(default_factory=AdoptionParams)
    safety: SafetyParams = field(default_factory=SafetyParams)
    value: ValueParams = field(default_factory=ValueParams)
