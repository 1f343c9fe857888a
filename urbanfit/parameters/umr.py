"""The Urban Mobility Report's peak-period Travel Time Index by US urban area: one edition.

The baseline congestion of the synthetic demand is set to a published Travel Time Index (TTI:
peak-period over free-flow travel time). The Texas Transportation Institute's Urban Mobility
Report (UMR) publishes it per US urban area; its editions change method (the 2015 Scorecard
and later editions use INRIX speeds and are not comparable with earlier ones, and every
edition revises its back years), so the whole table below comes from one edition and one data
year, never mixed.
"""

from __future__ import annotations

from dataclasses import dataclass

from urbanfit.parameters.base import param

__all__ = ["SIZE_CLASS_LIMITS_K", "UrbanMobilityParams"]

SIZE_CLASS_LIMITS_K = (
    ("very_large", 3000.0),
    ("large", 1000.0),
    ("medium", 500.0),
    ("small", 0.0),
)
"""The UMR's population groups, by least population in thousands (very large >= 3 million,
large 1-3 million, medium 500,000-1 million, small < 500,000): the UMR's own definitions."""

_TABLE = (
    "Texas Transportation Institute, 2002 Urban Mobility Report (data year 2000), as "
    "tabulated by the US Bureau of Transportation Statistics, Transportation Statistics "
    "Annual Report 2003, Table 13/14 'Travel Time Index and Change by Metro Area Population "
    "for 75 Metro Areas: 1990 and 2000' (columns: population 2000 in thousands, TTI 1990, TTI "
    "2000; the 2000 column is used). A pre-2015 edition: its TTI was estimated from traffic "
    "volumes and road inventory, not from measured speeds as from the 2015 Scorecard on, so "
    "it is not comparable with later editions' figures (e.g. the 2011 report gives Seattle "
    "1.27 and Philadelphia 1.21 for 2010). Only the rows of areas of about 1 million people "
    "or more could be consulted here (table order, down to Providence)."
)


@dataclass(frozen=True)
class UrbanMobilityParams:
    """Peak-period TTI per US urban area from one UMR edition, and how a run picks its area."""

    edition: str = param(
        "Urban Mobility Report 2002 (Texas Transportation Institute)",
        "-",
        "The one edition every figure of `areas` comes from (see `areas`).",
    )
    year: int = param(2000, "year", "Data year of `areas` in that edition.")
    areas: tuple[tuple[str, float, float], ...] = param(
        (
            ("New York NY-Northeastern NJ", 17090.0, 1.41),
            ("Los Angeles CA", 12680.0, 1.90),
            ("Chicago IL-Northwestern IN", 8090.0, 1.47),
            ("Philadelphia PA-NJ", 4590.0, 1.28),
            ("San Francisco-Oakland CA", 4030.0, 1.59),
            ("Detroit MI", 4025.0, 1.34),
            ("Dallas-Fort Worth TX", 3800.0, 1.33),
            ("Washington DC-MD-VA", 3560.0, 1.46),
            ("Houston TX", 3375.0, 1.38),
            ("Boston MA", 3025.0, 1.45),
            ("Atlanta GA", 2975.0, 1.36),
            ("San Diego CA", 2710.0, 1.37),
            ("Phoenix AZ", 2600.0, 1.40),
            ("Minneapolis-St. Paul MN", 2475.0, 1.38),
            ("Miami-Hialeah FL", 2270.0, 1.45),
            ("Baltimore MD", 2170.0, 1.29),
            ("St. Louis MO-IL", 2040.0, 1.23),
            ("Seattle-Everett WA", 2000.0, 1.45),
            ("Tampa-St. Petersburg-Clearwater FL", 1950.0, 1.29),
            ("Denver CO", 1910.0, 1.42),
            ("Cleveland OH", 1885.0, 1.13),
            ("Pittsburgh PA", 1790.0, 1.10),
            ("San Jose CA", 1675.0, 1.42),
            ("Ft. Lauderdale-Hollywood-Pompano Beach FL", 1560.0, 1.37),
            ("Norfolk-Newport News-Virginia Beach VA", 1500.0, 1.18),
            ("Portland-Vancouver OR-WA", 1500.0, 1.40),
            ("Kansas City MO-KS", 1420.0, 1.10),
            ("San Bernardino-Riverside CA", 1410.0, 1.34),
            ("Sacramento CA", 1395.0, 1.31),
            ("Milwaukee WI", 1365.0, 1.26),
            ("Cincinnati OH-KY", 1285.0, 1.26),
            ("San Antonio TX", 1250.0, 1.23),
            ("Las Vegas NV", 1200.0, 1.35),
            ("Orlando FL", 1200.0, 1.29),
            ("Buffalo-Niagara Falls NY", 1110.0, 1.08),
            ("New Orleans LA", 1105.0, 1.18),
            ("Oklahoma City OK", 1080.0, 1.09),
            ("Columbus OH", 1040.0, 1.19),
            ("West Palm Beach-Boca Raton-Delray Beach FL", 1030.0, 1.25),
            ("Indianapolis IN", 1020.0, 1.24),
            ("Memphis TN-AR-MS", 975.0, 1.21),
            ("Providence-Pawtucket RI-MA", 915.0, 1.21),
        ),
        "(area, thousand people, TTI)",
        _TABLE,
    )
    names: tuple[tuple[str, str], ...] = param(
        (
            ("new york", "New York NY-Northeastern NJ"),
            ("los angeles", "Los Angeles CA"),
            ("chicago", "Chicago IL-Northwestern IN"),
            ("philadelphia", "Philadelphia PA-NJ"),
            ("san francisco", "San Francisco-Oakland CA"),
            ("oakland", "San Francisco-Oakland CA"),
            ("detroit", "Detroit MI"),
            ("dallas", "Dallas-Fort Worth TX"),
            ("fort worth", "Dallas-Fort Worth TX"),
            ("washington dc", "Washington DC-MD-VA"),
            ("houston", "Houston TX"),
            ("boston", "Boston MA"),
            ("somerville", "Boston MA"),
            ("cambridge ma", "Boston MA"),
            ("atlanta", "Atlanta GA"),
            ("san diego", "San Diego CA"),
            ("phoenix", "Phoenix AZ"),
            ("minneapolis", "Minneapolis-St. Paul MN"),
            ("miami", "Miami-Hialeah FL"),
            ("baltimore", "Baltimore MD"),
            ("st louis", "St. Louis MO-IL"),
            ("seattle", "Seattle-Everett WA"),
            ("tampa", "Tampa-St. Petersburg-Clearwater FL"),
            ("denver", "Denver CO"),
            ("cleveland", "Cleveland OH"),
            ("pittsburgh", "Pittsburgh PA"),
            ("san jose", "San Jose CA"),
            ("fort lauderdale", "Ft. Lauderdale-Hollywood-Pompano Beach FL"),
            ("norfolk", "Norfolk-Newport News-Virginia Beach VA"),
            ("portland", "Portland-Vancouver OR-WA"),
            ("kansas city", "Kansas City MO-KS"),
            ("san bernardino", "San Bernardino-Riverside CA"),
            ("riverside", "San Bernardino-Riverside CA"),
            ("sacramento", "Sacramento CA"),
            ("milwaukee", "Milwaukee WI"),
            ("cincinnati", "Cincinnati OH-KY"),
            ("san antonio", "San Antonio TX"),
            ("las vegas", "Las Vegas NV"),
            ("orlando", "Orlando FL"),
            ("buffalo", "Buffalo-Niagara Falls NY"),
            ("new orleans", "New Orleans LA"),
            ("oklahoma city", "Oklahoma City OK"),
            ("columbus", "Columbus OH"),
            ("west palm beach", "West Palm Beach-Boca Raton-Delray Beach FL"),
            ("indianapolis", "Indianapolis IN"),
            ("memphis", "Memphis TN-AR-MS"),
            ("providence", "Providence-Pawtucket RI-MA"),
        ),
        "-",
        "Modelling choice: a place name, preset name or file name containing one of these "
        "words (lower case, punctuation as spaces) is taken to lie in that urban area; the "
        "first match in this order wins. A town of the same name elsewhere (Portland, Maine; "
        "Columbus, Georgia) would be matched wrongly: give --urban-area there.",
    )
    default_size_class: str = param(
        "large",
        "-",
        "Modelling assumption: size class of an area the table does not list (1-3 million "
        "people, the typical metro a planner studies; Helsinki's region has about 1.5 "
        "million). Its figure is the unweighted mean TTI of the table's areas of that class "
        "(the UMR's own class averages are weighted by vehicle-miles and were not in the "
        "table consulted).",
    )
