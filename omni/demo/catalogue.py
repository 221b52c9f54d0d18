"""About 2,000 apparel SKUs (models × colours × sizes) and uneven stock across the demo network."""

import random
import unicodedata

from inventory.models import ean13_check_digit

TOPS = ["XS", "S", "M", "L", "XL", "XXL", "3XL"]
JEANS = ["34", "36", "38", "40", "42", "44", "46", "48"]
SHOES = ["36", "37", "38", "39", "40", "41", "42", "43", "44", "45", "46"]

# model code, name, category, price, colours, sizes
MODELS = [
    (
        "TSH-COL",
        "T-shirt col rond coton bio",
        "T-shirts",
        "14.99",
        ["Blanc", "Noir", "Marine", "Gris chiné", "Rouge"],
        TOPS,
    ),
    ("TSH-VNE", "T-shirt col V", "T-shirts", "16.99", ["Blanc", "Noir", "Kaki", "Bleu ciel"], TOPS),
    ("TSH-RAY", "Marinière rayée", "T-shirts", "29.90", ["Marine/Blanc", "Rouge/Blanc", "Noir/Écru"], TOPS),
    ("POL-PIQ", "Polo piqué", "Polos", "34.90", ["Blanc", "Marine", "Vert bouteille", "Bordeaux"], TOPS),
    (
        "CHE-OXF",
        "Chemise Oxford",
        "Chemises",
        "49.90",
        ["Blanc", "Bleu ciel", "Rose pâle", "Rayé bleu"],
        TOPS,
    ),
    ("CHE-LIN", "Chemise en lin", "Chemises", "59.90", ["Blanc", "Sable", "Bleu ciel"], TOPS),
    ("CHE-FLA", "Chemise flanelle à carreaux", "Chemises", "45.00", ["Rouge", "Vert", "Bleu"], TOPS),
    (
        "PUL-MER",
        "Pull col rond mérinos",
        "Pulls",
        "69.90",
        ["Gris", "Marine", "Camel", "Bordeaux", "Vert"],
        TOPS,
    ),
    ("PUL-CAC", "Pull cachemire col V", "Pulls", "129.00", ["Gris", "Noir", "Camel"], TOPS),
    ("PUL-MAR", "Pull marin", "Pulls", "79.90", ["Marine", "Écru"], TOPS),
    ("SWE-CAP", "Sweat à capuche", "Sweats", "49.90", ["Gris chiné", "Noir", "Marine", "Kaki"], TOPS),
    ("SWE-ZIP", "Sweat zippé", "Sweats", "54.90", ["Gris chiné", "Marine"], TOPS),
    ("CAR-LAI", "Cardigan en laine", "Pulls", "79.00", ["Écru", "Gris", "Noir"], TOPS),
    ("JEA-DRO", "Jean droit", "Jeans", "79.90", ["Brut", "Stone", "Noir"], JEANS),
    ("JEA-SLI", "Jean slim", "Jeans", "79.90", ["Brut", "Délavé", "Noir", "Gris"], JEANS),
    ("JEA-MOM", "Jean mom", "Jeans", "69.90", ["Bleu clair", "Brut"], JEANS),
    ("PAN-CHI", "Pantalon chino", "Pantalons", "59.90", ["Beige", "Marine", "Kaki", "Gris"], JEANS),
    ("PAN-LIN", "Pantalon en lin", "Pantalons", "65.00", ["Sable", "Blanc"], JEANS),
    ("SHO-CHI", "Short chino", "Shorts", "39.90", ["Beige", "Marine", "Vert"], JEANS),
    ("ROB-CHE", "Robe chemise", "Robes", "69.90", ["Bleu", "Blanc", "Kaki"], TOPS),
    ("ROB-PUL", "Robe pull", "Robes", "79.90", ["Gris", "Camel", "Noir"], TOPS),
    ("ROB-LIB", "Robe imprimé liberty", "Robes", "89.00", ["Fleurs bleues", "Fleurs roses"], TOPS),
    ("JUP-PLI", "Jupe plissée", "Jupes", "59.00", ["Noir", "Marine", "Vert"], TOPS),
    ("VES-JEA", "Veste en jean", "Vestes", "89.90", ["Brut", "Délavé"], TOPS),
    ("VES-BLA", "Blazer", "Vestes", "149.00", ["Marine", "Noir", "Gris"], TOPS),
    ("MAN-CAB", "Caban en laine", "Manteaux", "199.00", ["Marine", "Noir"], TOPS),
    ("MAN-TRE", "Trench", "Manteaux", "179.00", ["Beige", "Marine"], TOPS),
    ("DOU-LEG", "Doudoune légère", "Manteaux", "99.90", ["Noir", "Marine", "Kaki", "Bordeaux"], TOPS),
    ("PAR-IMP", "Parka imperméable", "Manteaux", "149.90", ["Kaki", "Marine", "Noir"], TOPS),
    ("CHA-BAS", "Baskets en cuir", "Chaussures", "99.00", ["Blanc", "Noir", "Blanc/Vert"], SHOES),
    ("CHA-DER", "Derbies en cuir", "Chaussures", "139.00", ["Noir", "Marron"], SHOES),
    ("CHA-BOO", "Boots Chelsea", "Chaussures", "159.00", ["Noir", "Cognac", "Daim taupe"], SHOES),
    ("CHA-ESP", "Espadrilles", "Chaussures", "35.00", ["Marine", "Naturel", "Rouge"], SHOES),
    ("CHA-MOC", "Mocassins", "Chaussures", "129.00", ["Marron", "Noir"], SHOES),
    ("CHA-RUN", "Chaussures de running", "Chaussures", "119.00", ["Noir", "Bleu", "Gris"], SHOES),
    ("PYJ-COT", "Pyjama coton", "Nuit", "45.00", ["Rayé bleu", "Vichy rouge"], TOPS),
    (
        "CHS-COT",
        "Chaussettes coton (lot de 3)",
        "Accessoires",
        "12.99",
        ["Noir", "Marine", "Gris", "Mix"],
        ["36-40", "41-46"],
    ),
    ("ECH-LAI", "Écharpe en laine", "Accessoires", "39.00", ["Gris", "Camel", "Rouge", "Marine"], ["TU"]),
    ("BON-LAI", "Bonnet côtelé", "Accessoires", "19.99", ["Noir", "Gris", "Moutarde", "Marine"], ["TU"]),
    (
        "CEI-CUI",
        "Ceinture en cuir",
        "Accessoires",
        "39.90",
        ["Noir", "Marron"],
        ["85", "90", "95", "100", "105"],
    ),
    ("SAC-TOT", "Tote bag en toile", "Accessoires", "24.90", ["Naturel", "Noir"], ["TU"]),
    ("MAI-BAI", "Maillot de bain", "Bain", "39.90", ["Noir", "Marine", "Rouge", "Imprimé"], TOPS),
    ("CHI-COU", "Chino coupe courte", "Pantalons", "59.90", ["Beige", "Olive", "Marine"], JEANS),
    ("SUR-CHE", "Surchemise", "Chemises", "69.00", ["Kaki", "Écru", "Carreaux"], TOPS),
    ("GIL-DOU", "Gilet sans manches doudoune", "Manteaux", "79.90", ["Noir", "Marine", "Kaki"], TOPS),
    ("LEG-SPO", "Legging de sport", "Sport", "34.90", ["Noir", "Gris", "Bordeaux"], TOPS),
    ("BRA-SPO", "Brassière de sport", "Sport", "29.90", ["Noir", "Blanc", "Rose"], TOPS),
    ("SHO-SPO", "Short de sport", "Sport", "24.90", ["Noir", "Marine"], TOPS),
    ("VES-POL", "Veste polaire", "Sport", "49.90", ["Gris", "Marine", "Vert"], TOPS),
    ("CHE-DEN", "Chemise en jean", "Chemises", "55.00", ["Brut", "Délavé"], TOPS),
    ("TOP-SOI", "Top en soie", "Hauts", "79.00", ["Ivoire", "Noir", "Vert sauge"], TOPS),
    ("BLO-BRO", "Blouse brodée", "Hauts", "59.90", ["Blanc", "Bleu"], TOPS),
    ("PAN-LAR", "Pantalon large", "Pantalons", "69.90", ["Noir", "Écru", "Camel"], JEANS),
    ("JUP-JEA", "Jupe en jean", "Jupes", "49.90", ["Brut", "Noir"], JEANS),
    ("KIM-LIN", "Kimono en lin", "Hauts", "65.00", ["Sable", "Terracotta"], TOPS),
    ("PUL-TOR", "Pull torsadé", "Pulls", "74.90", ["Écru", "Marine", "Vert"], TOPS),
    ("TSH-MAN", "T-shirt manches longues", "T-shirts", "19.99", ["Blanc", "Noir", "Marine", "Rayé"], TOPS),
    ("SWE-COL", "Sweat col rond", "Sweats", "44.90", ["Gris chiné", "Écru", "Marine", "Rose"], TOPS),
    ("PAN-JOG", "Pantalon jogging", "Sport", "39.90", ["Gris chiné", "Noir", "Marine"], TOPS),
    ("CHA-SAN", "Sandales en cuir", "Chaussures", "79.00", ["Camel", "Noir"], SHOES),
    ("CHA-TEN", "Tennis en toile", "Chaussures", "49.00", ["Blanc", "Marine", "Rouge"], SHOES),
    ("VES-CUI", "Blouson en cuir", "Vestes", "299.00", ["Noir", "Marron"], TOPS),
    ("BER-CHI", "Bermuda", "Shorts", "39.90", ["Beige", "Marine", "Kaki"], JEANS),
    ("ROB-LON", "Robe longue", "Robes", "85.00", ["Noir", "Imprimé", "Vert"], TOPS),
]

VENDOR_CATEGORIES = {"Chaussures"}


def _ean(n: int) -> str:
    first12 = f"376{n:09d}"
    return first12 + str(ean13_check_digit(first12))


EXTRA_COLOURS = ["Noir", "Marine", "Écru", "Gris", "Kaki", "Bordeaux"]
MIN_COLOURS = 4


def catalogue_rows() -> list[dict]:
    rows = []
    n = 0
    for model, name, category, price, colours, sizes in MODELS:
        colours = list(colours)
        for extra in EXTRA_COLOURS:
            if len(colours) >= MIN_COLOURS:
                break
            if extra not in colours:
                colours.append(extra)
        for index, colour in enumerate(colours, 1):
            ascii_letters = "".join(
                ch for ch in unicodedata.normalize("NFKD", colour.upper()) if "A" <= ch <= "Z"
            )
            colour_code = f"{ascii_letters[:3]}{index}"
            for size in sizes:
                n += 1
                rows.append(
                    {
                        "sku": f"{model}-{colour_code}-{size}",
                        "ean": _ean(n),
                        "name": f"{name} {colour.lower()} {size}",
                        "model": model,
                        "model_name": name,
                        "colour": colour,
                        "size": size,
                        "category": category,
                        "brand": "Omni Maison",
                        "price": price,
                    }
                )
    return rows


def stock_snapshot(location_code: str, kind: str, capacity: int | None, rows: list[dict]) -> list[dict]:
    """Uneven, believable stock for one location: deep in warehouses, thin and patchy in stores
    (bigger stores hold more), shoes only at the drop-ship vendor."""
    rng = random.Random(f"omni-demo-{location_code}")
    snapshot = []
    for row in rows:
        middle_size = row["size"] in {"M", "L", "40", "42", "41", "TU"}
        if kind == "warehouse":
            on_hand = rng.choice([0, 5, 12, 20, 40, 80, 150]) * (2 if middle_size else 1)
        elif kind == "drop_ship_vendor":
            if row["category"] not in VENDOR_CATEGORIES:
                continue
            on_hand = rng.randint(0, 60)
        else:
            if rng.random() < 0.35:
                continue  # this store does not carry it
            depth = (capacity or 20) / 20
            on_hand = max(0, int(rng.gauss(3 * depth, 2.5 * depth)) + (1 if middle_size else 0))
        snapshot.append(
            {"sku": row["sku"], "on_hand": on_hand, "safety_stock": 1 if kind == "store" and on_hand else 0}
        )
    return snapshot
