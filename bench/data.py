"""Synthetic ledgers for the benchmarks, generated inside PostgreSQL.

    district  ≈     500 estates,     2,500 buildings
    province  ≈  20,000 estates,   100,000 buildings
    national  ≈ 220,000 estates, 1,100,000 buildings (≈ 5 a estate)

Rows are generated with generate_series so a national ledger takes seconds,
not the hours the ORM would need. Names are Chinese and repeat realistically
(a search for "和平" matches about one estate in twenty).
"""

from dataclasses import dataclass

from django.db import connection, transaction

from communities.management.commands.seed_demo import PLACES, SUFFIXES


@dataclass(frozen=True)
class Scale:
    name: str
    districts: int
    streets_per_district: int
    communities_per_street: int
    estates: int
    buildings_per_estate: int = 5


SCALES = {
    "district": Scale("district", 1, 10, 5, 500),
    "province": Scale("province", 20, 10, 10, 20_000),
    "national": Scale("national", 400, 10, 10, 220_000),
}


def _array(values):
    return "ARRAY[" + ",".join(f"'{v}'" for v in values) + "]"


def existing_scale() -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM communities_estate")
        count = cursor.fetchone()[0]
    for scale in SCALES.values():
        if count == scale.estates:
            return scale.name
    return None


@transaction.atomic
def build(scale: Scale) -> None:
    """Replace the ledger in this database with a synthetic one of `scale`."""
    places, suffixes = _array(PLACES), _array(SUFFIXES)
    statements = [
        "TRUNCATE communities_historicalestate, communities_historicalbuilding, communities_historicalrightsholding,"
        " communities_historicalillegalstructure, communities_historicalpropertyrightsunit,"
        " communities_managementperiod, communities_rightsholding, communities_illegalstructure,"
        " communities_building, communities_estatenote, communities_estateattachment, communities_estate,"
        " communities_propertyrightsunit, core_savedfilter, core_exportjob, communities_importbatch CASCADE",
        # The organisation tree goes with everything that hangs off it in the
        # other apps (plans, companies, subsidy periods, cases, users): the
        # benchmark database holds nothing else.
        "TRUNCATE communities_district, communities_streetoffice, communities_community CASCADE",
        f"""INSERT INTO communities_district (name, code, code_edition)
            SELECT '测试' || g || '区', lpad((200000 + g)::text, 6, '0'), 2024
            FROM generate_series(1, {scale.districts}) g""",
        f"""INSERT INTO communities_streetoffice (district_id, name, code)
            SELECT d.id, ({places})[1 + (s * 3 + d.id) % {len(PLACES)}] || s || '街道', d.code || lpad(s::text, 3, '0')
            FROM communities_district d CROSS JOIN generate_series(1, {scale.streets_per_district}) s""",
        f"""INSERT INTO communities_community (street_id, name, code)
            SELECT st.id, ({places})[1 + (c * 5 + st.id) % {len(PLACES)}] || c || '社区',
                   st.code || lpad(c::text, 3, '0')
            FROM communities_streetoffice st CROSS JOIN generate_series(1, {scale.communities_per_street}) c""",
        f"""WITH c AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n, count(*) OVER () AS total
                       FROM communities_community)
            INSERT INTO communities_estate (
                community_id, name, address, year_built, building_count, households, floor_area, enclosure,
                management_mode, owners_body, fund_status, fund_balance, fund_holder, parking_spaces, vehicles,
                has_surveillance, fire_passage_blocked, expropriation_planned, shantytown, remarks, version,
                created_at, updated_at)
            SELECT c.id,
                   ({places})[1 + (e * 7) % {len(PLACES)}] || ({suffixes})[1 + (e * 13) % {len(SUFFIXES)}] || e,
                   '某市某区' || e || '号', 1950 + (e * 37) % 56, {scale.buildings_per_estate},
                   60 + (e * 131) % 1200, (60 + (e * 131) % 1200) * (48 + e % 28) + (e % 100) / 100.0,
                   (ARRAY['open','semi','closed'])[1 + e % 3],
                   (ARRAY['market','owners','owners','owners','unit','street_centre','none'])[1 + (e * 3) % 7],
                   (ARRAY['none','none','committee','self_mgmt','mgmt_committee'])[1 + e % 5],
                   (ARRAY['collected','not_collected','partial','unknown'])[1 + e % 4],
                   CASE WHEN e % 4 = 1 THEN NULL ELSE (e * 97) % 3000000 END, 'none',
                   e % 300, (e * 7) % 600, e % 3 <> 0, e % 7 = 0, e % 53 = 0, e % 97 = 0, '', 1, now(), now()
            FROM generate_series(0, {scale.estates - 1}) e
            JOIN c ON c.n = e % c.total""",
        f"""INSERT INTO communities_building (estate_id, number, floors, entrances, households, year_built, structure,
                                              elevators, danger_grade, floor_area, version, updated_at)
            SELECT e.id, b || '号楼', 4 + (e.id + b) % 3, 1 + b % 4, e.households / {scale.buildings_per_estate},
                   e.year_built, 'brick_concrete', CASE WHEN (e.id + b) % 10 = 0 THEN 1 ELSE 0 END,
                   CASE WHEN (e.id * 7 + b) % 41 = 0 THEN 'C' WHEN (e.id * 7 + b) % 211 = 0 THEN 'D'
                        WHEN (e.id + b) % 3 = 0 THEN 'A' ELSE '' END,
                   e.floor_area / {scale.buildings_per_estate}, 1, now()
            FROM communities_estate e CROSS JOIN generate_series(1, {scale.buildings_per_estate}) b""",
        """INSERT INTO communities_illegalstructure (estate_id, description, area, status)
           SELECT id, '楼间小配房', 10 + id % 90, 'pending' FROM communities_estate WHERE id % 9 = 0""",
        """INSERT INTO communities_managementperiod (estate_id, mode, started_on, note, recorded_at)
           SELECT id, management_mode, DATE '2015-01-01' + (id % 3000)::int, '', now() FROM communities_estate""",
    ]
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def vacuum() -> None:
    """What autovacuum would do on a live system: statistics for the planner
    and a visibility map, so that index-only scans skip the table."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
