"""The OSM tag keys urbanfit reads. Every source asks for exactly these, so tables match."""

from __future__ import annotations

__all__ = [
    "ACCESS_KEYS",
    "BUILDING_KEYS",
    "BUS_LANE_KEYS",
    "DRIVE_HIGHWAYS",
    "LOT_KEYS",
    "PARKING_KEYS",
    "POINT_KINDS",
    "SIDES",
    "STREET_KEYS",
]

SIDES = ("left", "right", "both")

# Highway classes of the drive network (as OSMnx 'drive' and pyrosm 'driving': no service roads).
DRIVE_HIGHWAYS = (
    "motorway",
    "motorway_link",
    "trunk",
    "trunk_link",
    "primary",
    "primary_link",
    "secondary",
    "secondary_link",
    "tertiary",
    "tertiary_link",
    "unclassified",
    "residential",
    "living_street",
    "road",
)

# Bus lanes by side: ``busway=lane`` on both sides, ``busway:left|right|both=lane`` on that
# side, ``busway=opposite_lane`` on the left of a one-way street (OSM wiki, Key:busway).
BUS_LANE_KEYS = ("busway", "busway:left", "busway:right", "busway:both")

STREET_KEYS = (
    "highway",
    "name",
    "lanes",
    "width",
    "est_width",
    "maxspeed",
    "oneway",
    "junction",
    "access",
    "motor_vehicle",
    "motorcar",
    "vehicle",
    "service",
    "area",
    *BUS_LANE_KEYS,
)

# Access keys from most to least specific for cars; the first one a way carries decides.
ACCESS_KEYS = ("motorcar", "motor_vehicle", "vehicle", "access")

_ORIENTATIONS = ("parallel", "diagonal", "perpendicular")

# Curb parking, new schema (parking:<side>=...) and old schema (parking:lane:<side>=...).
PARKING_KEYS = tuple(
    key
    for side in SIDES
    for key in (
        f"parking:{side}",
        f"parking:{side}:orientation",
        f"parking:{side}:restriction",
        f"parking:{side}:capacity",
        f"parking:{side}:access",
        f"parking:lane:{side}",
        *(f"parking:lane:{side}:{o}" for o in _ORIENTATIONS),
        f"parking:lane:{side}:capacity",
        f"parking:condition:{side}",
        f"parking:condition:{side}:capacity",
    )
)

LOT_KEYS = (
    "amenity",
    "parking",
    "name",
    "capacity",
    "access",
    "fee",
    "levels",
    "building:levels",
    "parking:levels",
    "location",
    "layer",
    "building",
)

BUILDING_KEYS = ("building", "building:levels", "levels", "amenity", "shop", "name", "height")

# Curb point features the sources read (crossings, bus stops, fire hydrants, driveway nodes
# shared with a street, signals, stop and give-way signs, railway level crossings, fire-station
# nodes, and points along a transit platform way); the curb clearances know each of them
# (`urbanfit.models.parking.clearance`).
POINT_KINDS = (
    "crossing",
    "bus_stop",
    "fire_hydrant",
    "driveway",
    "traffic_signals",
    "stop",
    "give_way",
    "level_crossing",
    "fire_station",
    "platform",
)
