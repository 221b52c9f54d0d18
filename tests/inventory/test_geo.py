"""Postcodes to places: commune-level points from the shipped table, plausible distances,
and unknown or foreign postcodes named as such."""

import time

import pytest

from inventory import geo


def km(a: str, b: str) -> float:
    return geo.haversine_km(*geo.postcode_point(a), *geo.postcode_point(b))


def test_paris_arrondissements_are_different_places():
    first, twentieth = geo.postcode_point("75001"), geo.postcode_point("75020")
    assert first != twentieth
    assert 4 < km("75001", "75020") < 7  # the Louvre to Belleville
    assert geo.postcode_place("75020").name == "Paris 20e Arrondissement"
    # the 16th has two postcodes, one commune
    assert geo.postcode_point("75016") == geo.postcode_point("75116")


def test_overseas_departements_resolve():
    reunion = geo.postcode_place("97400")
    assert reunion.name == "Saint-Denis"
    assert reunion.latitude == pytest.approx(-20.88, abs=0.05)
    assert reunion.longitude == pytest.approx(55.45, abs=0.05)
    for postcode in ("97100", "97200", "97300", "97600"):  # Guadeloupe, Martinique, Guyane, Mayotte
        assert geo.postcode_point(postcode) is not None


@pytest.mark.parametrize(
    ("a", "b", "expected_km"),
    [
        ("75001", "69001", 392),  # Paris – Lyon
        ("75001", "13001", 661),  # Paris – Marseille
        ("69002", "13001", 278),  # Lyon – Marseille
        ("20000", "20200", 105),  # Ajaccio – Bastia
        ("33000", "59000", 700),  # Bordeaux – Lille
    ],
)
def test_distances_are_plausible(a, b, expected_km):
    assert km(a, b) == pytest.approx(expected_km, rel=0.03)


def test_a_shared_postcode_stands_among_its_communes():
    # 20200: Bastia and three villages just north of it; the point stays by Bastia
    bastia = (42.6973, 9.4509)
    assert geo.haversine_km(*geo.postcode_point("20200"), *bastia) < 3
    # 01400: a dozen villages around Châtillon-sur-Chalaronne, each a few km apart
    assert geo.haversine_km(*geo.postcode_point("01400"), 46.1183, 4.9567) < 10


@pytest.mark.parametrize(
    "postcode", ["99999", "00000", "75000", "97133", "98000", "ABCDE", "7500", "", None, " 750011"]
)
def test_unknown_postcodes_have_no_place(postcode):
    assert geo.postcode_point(postcode) is None


def test_destination_errors_name_the_field():
    assert geo.destination_errors("69002") == {}
    assert geo.destination_errors(" 69002 ", "fr") == {}
    assert geo.destination_errors("97400", "RE") == {}
    assert set(geo.destination_errors("99999")) == {"postcode"}
    assert "99999" in geo.destination_errors("99999")["postcode"][0]
    assert set(geo.destination_errors("10115", "DE")) == {"country"}


def test_the_table_is_read_once_and_lookups_are_fast():
    geo.postcode_point("75001")
    reads = geo._places.cache_info().misses
    started = time.perf_counter()
    for _ in range(10_000):
        geo.postcode_point("69002")
    assert time.perf_counter() - started < 0.5
    assert geo._places.cache_info().misses == reads == 1
    assert len(geo._places()) > 6000
