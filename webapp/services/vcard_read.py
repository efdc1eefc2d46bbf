"""Reading an uploaded .vcf file into ParsedCards, one card at a time, so one broken card never costs the others:
bytes decoded (vcard_decode), lines read into properties (vcard_syntax), properties into values
(vcard_properties)."""
import binascii

from .vcard_cards import CardError, ParsedCard, ParseResult
from .vcard_decode import MB, RawCard, VCardFileError, card_text, read_file
from .vcard_properties import interpret
from .vcard_syntax import CardSyntaxError, read_properties

MAX_BYTES = 10 * MB
MAX_CARDS = 5000
MAX_LINE = 1 * MB
MAX_PHOTO = 5 * MB


def parse_vcards(data: bytes, max_cards: int = MAX_CARDS, max_line: int = MAX_LINE, max_bytes: int = MAX_BYTES,
                 max_photo: int = MAX_PHOTO) -> ParseResult:
    """Read every contact of an uploaded .vcf file; a broken card is reported and the others are kept."""
    result = ParseResult()
    for raw in read_file(data, max_bytes=max_bytes, max_cards=max_cards, max_line=max_line):
        try:
            card = _parse_card(raw, max_photo, max_line)
        except VCardFileError:
            raise  # a line past the bound: the whole file is refused
        except RecursionError:
            result.errors.append(CardError(raw.number, "Fiche trop imbriquée pour être lue."))
            continue
        except (CardSyntaxError, LookupError, UnicodeError, binascii.Error, ValueError, TypeError, AttributeError,
                IndexError, KeyError) as error:
            result.errors.append(CardError(raw.number, _reason(error)))
            continue
        if card is None:
            result.errors.append(CardError(raw.number, "Fiche vide : aucune donnée lisible."))
            continue
        result.cards.append(card)
        result.warnings.extend(CardError(raw.number, warning) for warning in card.warnings)
    return result


def _reason(error: Exception) -> str:
    """Why a card could not be read, in the user's words."""
    if isinstance(error, CardSyntaxError):
        return "Fiche illisible : sa structure ne respecte pas le format vCard."
    if isinstance(error, (UnicodeError, LookupError)):
        return "Fiche illisible : encodage des caractères inconnu ou invalide."
    if isinstance(error, binascii.Error):
        return "Fiche illisible : données base64 invalides."
    return "Fiche illisible : contenu inattendu."


def _parse_card(raw: RawCard, max_photo: int, max_line: int) -> ParsedCard | None:
    """One card's values, or None when it holds nothing worth importing."""
    decoded = card_text(raw, max_line)
    card = ParsedCard(number=raw.number)
    card.warnings.extend(decoded.notes)
    if not raw.closed:
        card.warn("Fiche sans ligne END:VCARD (fichier tronqué ?) : lue jusqu'à la fiche suivante.")
    if raw.nested:
        card.warn("Fiche imbriquée (AGENT) ignorée.")
        card.ignored.append("AGENT")
    properties, dropped = read_properties(decoded.lines)
    if dropped:
        card.warn(f"{dropped} ligne(s) illisible(s) ignorée(s).")
    if not properties:
        return None
    interpret(properties, card, max_photo)
    if not (card.full_name or card.org or card.emails or card.phones or card.addresses or card.urls or card.ims
            or card.photo or card.note or card.extras):
        return None
    return card
