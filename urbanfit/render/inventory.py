"""The report's section on the city's own curb inventory: what was read, matched and scored."""

from __future__ import annotations

from typing import Any

from urbanfit.render.document import Block, Heading, Para, Table, Untrusted
from urbanfit.render.labels import fmt

__all__ = ["inventory_blocks"]


def _pct(value: Any) -> str:
    return "n/a" if value is None else f"{float(value) * 100:.0f} %"


def inventory_blocks(summary: dict[str, Any]) -> list[Block]:
    """Lay out the ``curb_inventory`` section of a summary (nothing when none was given)."""
    record = summary.get("curb_inventory")
    if not isinstance(record, dict):
        return []
    source = record.get("provenance") or {}
    check = record.get("self_check") or {}
    rows = (
        ("file", Untrusted(str(source.get("file", "")))),
        ("format", Untrusted(str(source.get("format", "")))),
        ("SHA-256", Untrusted(str(source.get("sha256", "")))),
        ("authority", Untrusted(str(source.get("authority") or "not given"))),
        ("pieces read / on a street", f"{record.get('features_read_count')} / "
         f"{record.get('features_matched_count')}"),
        ("km read / on a street / unmatched", f"{fmt(record.get('km_read'))} / "
         f"{fmt(record.get('km_matched'))} / {fmt(record.get('km_unmatched'))}"),
        ("rules read at", Untrusted(str(record.get("curb_time", "")))),
        ("street sides taken from the inventory", fmt(record.get("sides_covered_count"))),
        ("km of curb they cover / parkable at that time", f"{fmt(record.get('km_covered'))} / "
         f"{fmt(record.get('km_parkable'))}"),
        ("sides partly covered (left to OSM and the estimate)",
         f"{record.get('sides_partly_covered_count')} "
         f"({fmt(record.get('km_partly_covered'))} km)"),
        ("estimate's precision / recall there", f"{_pct(check.get('precision_share'))} / "
         f"{_pct(check.get('recall_share'))}"),
        ("spaces per km: surveyed / estimated",
         f"{fmt(check.get('surveyed_spaces_per_km'))} / "
         f"{fmt(check.get('estimated_spaces_per_km'))}"),
    )  # fmt: skip
    return [
        Heading(2, ("Your curb inventory",)),
        Para(
            (
                "Where your inventory covers a street side it replaces OpenStreetMap and the "
                "estimate; elsewhere they stand. As a check, the estimate was also run there as if "
                "neither your inventory nor the OSM curb tags were known. ",
                str(record.get("self_check_text", "")),
            )
        ),
        Table(("item", "value"), rows),
    ]
