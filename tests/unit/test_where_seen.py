"""Where a report is placed (probe s30 D4, ``services.where_seen.seen_place``): the reporter's position first; the
photo's EXIF position unless it lies more than ``FAR_KM`` from every seat of the city the typed words name, where the
words are kept and the position set aside with its distance; the words alone; nothing."""

from __future__ import annotations

from types import SimpleNamespace

from reunite.adapters.sources.parse import Gazetteer
from reunite.domain.model import GeoPoint, NewSighting, PhotoFacts, PlaceBasis, SeenPlace
from reunite.services.where_seen import FAR_KM, seen_place

TOKYO = GeoPoint(35.681, 139.767)
FLUSHING = "Flushing Main St station, Queens"


def photo(at: GeoPoint | None) -> PhotoFacts:
    return PhotoFacts("0" * 64, 320, 240, "image/jpeg", place=at)


def placed(words: str, at: GeoPoint | None, pin: GeoPoint | None = None, phone: GeoPoint | None = None) -> SeenPlace:
    deps = SimpleNamespace(places=Gazetteer())
    return seen_place(deps, NewSighting(None, pin, place_text=words, photo_place=phone), [photo(at)])  # type: ignore[arg-type]


def test_the_photos_position_is_used_unless_it_lies_far_from_the_city_the_words_name() -> None:
    assert placed("", TOKYO) == SeenPlace(TOKYO, PlaceBasis.PHOTO)  # no words: the photo's place, as before
    assert placed("by the fountain", TOKYO) == SeenPlace(TOKYO, PlaceBasis.PHOTO)  # words naming no city
    assert placed(FLUSHING, TOKYO) == SeenPlace(None, PlaceBasis.WORDS, TOKYO, 10848)
    assert placed(FLUSHING, None, phone=TOKYO).photo_aside == TOKYO  # the phone's reading alike
    flushing = GeoPoint(40.7596, -73.8300)
    assert placed(FLUSHING, flushing) == SeenPlace(flushing, PlaceBasis.PHOTO)  # 3 km from New York City's seat
    assert placed("Richmond", GeoPoint(49.17, -123.13)).basis is PlaceBasis.PHOTO  # near one of the Richmonds
    assert placed("四川省", GeoPoint(28.0, 102.3)).basis is PlaceBasis.PHOTO  # in the province the words name
    assert placed("成都东站", GeoPoint(31.23, 121.47)) == SeenPlace(None, PlaceBasis.WORDS, GeoPoint(31.23, 121.47),
                                                                  1617)  # Shanghai's GPS on Chengdu's station


class Away:
    """A gazetteer whose words' city lies ``km`` from any photo."""

    def __init__(self, km: float | None) -> None:
        self.km = km

    def km_from(self, words: str, point: GeoPoint) -> float | None:
        return self.km


def test_the_threshold_and_the_reporters_own_position() -> None:
    sighting = NewSighting(None, None, place_text="Chengdu")
    for km, expected in ((FAR_KM, SeenPlace(TOKYO, PlaceBasis.PHOTO)),
                         (FAR_KM + 1, SeenPlace(None, PlaceBasis.WORDS, TOKYO, round(FAR_KM + 1))),
                         (None, SeenPlace(TOKYO, PlaceBasis.PHOTO))):  # words the gazetteers cannot place
        assert seen_place(SimpleNamespace(places=Away(km)), sighting, [photo(TOKYO)]) == expected  # type: ignore[arg-type]
    pin = GeoPoint(30.6, 104.0)
    assert placed(FLUSHING, TOKYO, pin=pin) == SeenPlace(pin, PlaceBasis.GIVEN)  # the reporter's pin decides
    assert placed("", None) == SeenPlace(None, PlaceBasis.NONE)
    assert placed("Ximending", None) == SeenPlace(None, PlaceBasis.WORDS)
