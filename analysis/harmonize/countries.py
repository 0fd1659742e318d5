"""Which rows belong to a country, whatever the export calls it.

Exports name countries in different ways: ACLED writes ``Mali`` and ``iso3`` ``MLI`` (or the
numeric ``iso`` 466); UCDP writes ``Mali`` and ``Russia (Soviet Union)``; HDX HAPI gives only
the ISO 3166 alpha-3 code (``location_code``). :func:`country_mask` accepts a country as a name
or an alpha-3 code and matches either column.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

__all__ = ["COUNTRY_ISO3", "country_iso3", "country_key", "country_mask"]

#: ISO 3166-1 names -> alpha-3 codes, for the countries of ACLED's and UCDP's African coverage
#: and the states whose forces appear in Malian events. Names are compared without case and
#: without a parenthetical suffix (UCDP's ``Russia (Soviet Union)`` is ``Russia``).
COUNTRY_ISO3: dict[str, str] = {
    "algeria": "DZA",
    "angola": "AGO",
    "benin": "BEN",
    "botswana": "BWA",
    "burkina faso": "BFA",
    "burundi": "BDI",
    "cameroon": "CMR",
    "cape verde": "CPV",
    "central african republic": "CAF",
    "chad": "TCD",
    "comoros": "COM",
    "democratic republic of congo": "COD",
    "dr congo": "COD",
    "republic of congo": "COG",
    "djibouti": "DJI",
    "egypt": "EGY",
    "equatorial guinea": "GNQ",
    "eritrea": "ERI",
    "eswatini": "SWZ",
    "ethiopia": "ETH",
    "gabon": "GAB",
    "gambia": "GMB",
    "ghana": "GHA",
    "guinea": "GIN",
    "guinea-bissau": "GNB",
    "ivory coast": "CIV",
    "cote d'ivoire": "CIV",
    "kenya": "KEN",
    "lesotho": "LSO",
    "liberia": "LBR",
    "libya": "LBY",
    "madagascar": "MDG",
    "malawi": "MWI",
    "mali": "MLI",
    "mauritania": "MRT",
    "mauritius": "MUS",
    "morocco": "MAR",
    "mozambique": "MOZ",
    "namibia": "NAM",
    "niger": "NER",
    "nigeria": "NGA",
    "rwanda": "RWA",
    "senegal": "SEN",
    "sierra leone": "SLE",
    "somalia": "SOM",
    "south africa": "ZAF",
    "south sudan": "SSD",
    "sudan": "SDN",
    "tanzania": "TZA",
    "togo": "TGO",
    "tunisia": "TUN",
    "uganda": "UGA",
    "zambia": "ZMB",
    "zimbabwe": "ZWE",
    "france": "FRA",
    "russia": "RUS",
    "ukraine": "UKR",
    "syria": "SYR",
    "united states": "USA",
    "united kingdom": "GBR",
    "germany": "DEU",
}
_SUFFIX = re.compile(r"\s*\(.*\)\s*$")
_ALPHA3 = re.compile(r"^[A-Za-z]{3}$")


def country_key(name: object) -> str:
    """A country name compared without case, surrounding spaces or a parenthetical suffix."""
    return _SUFFIX.sub("", str(name)).strip().casefold()


def country_iso3(country: str) -> str | None:
    """The alpha-3 code of a country given by name or code (``None`` when unknown)."""
    text = country.strip()
    if _ALPHA3.match(text) and text.upper() in set(COUNTRY_ISO3.values()):
        return text.upper()
    return COUNTRY_ISO3.get(country_key(text))


def country_mask(frame: pd.DataFrame, country: str) -> np.ndarray:
    """Rows of ``frame`` in ``country`` (a name such as ``"Mali"`` or a code such as ``"MLI"``).

    Parameters
    ----------
    frame
        A table with a ``country`` column, an ``iso3`` column, or both (event tables, HDX
        aggregates).
    country
        The country, by name (any case; a parenthetical suffix is ignored) or ISO 3166 alpha-3.

    Returns
    -------
    numpy.ndarray
        A boolean mask: true where the row's name or its alpha-3 code is the country's. A row
        with neither is outside.

    Examples
    --------
    >>> frame = pd.DataFrame({"country": ["Mali", "Russia (Soviet Union)"], "iso3": ["MLI", None]})
    >>> country_mask(frame, "MLI").tolist()
    [True, False]
    """
    if not isinstance(country, str) or not country.strip():
        raise ValueError(f"country must be a name or an ISO 3166 alpha-3 code, not {country!r}")
    keep = np.zeros(len(frame), dtype=bool)
    wanted_name = country_key(country)
    code = country_iso3(country)
    for column in ("country", "iso3"):
        if column not in frame:
            continue
        values = frame[column]
        cat = values if isinstance(values.dtype, pd.CategoricalDtype) else values.astype("category")
        words = [str(v) for v in cat.cat.categories]
        if column == "country":
            keys = [country_key(w) for w in words]
            hits = [
                k == wanted_name or (code is not None and COUNTRY_ISO3.get(k) == code) for k in keys
            ]
        else:
            target = code if code is not None else country.strip().upper()
            hits = [w.strip().upper() == target for w in words]
        table = np.append(np.array(hits, dtype=bool), False)  # code -1 (missing): outside
        keep |= table[cat.cat.codes.to_numpy()]
    return keep
