"""vCard fidelity (issue 15), memory and bounds: the line bound on unfolded lines, folds inside a multi-byte
character, quoted-printable soft breaks followed by blank lines."""
import pytest

from webapp.services.vcard_decode import VCardFileError, longest_logical_line
from webapp.services.vcard_read import parse_vcards


def fold(line: bytes, width: int = 75) -> bytes:
    """A content line folded every `width` bytes, CRLF + space, cutting wherever the byte count says."""
    parts = [line[:width]] + [line[i:i + width - 1] for i in range(width, len(line), width - 1)]
    return b"\r\n ".join(parts)


def vcf(*lines: bytes, version: bytes = b"3.0") -> bytes:
    return b"\r\n".join([b"BEGIN:VCARD", b"VERSION:" + version, *lines, b"END:VCARD"]) + b"\r\n"


def one(data: bytes, **bounds):
    result = parse_vcards(data, **bounds)
    assert not result.errors, result.errors
    assert len(result.cards) == 1
    return result.cards[0]


# ------------------------------------------------------------------------------------------ the line bound

def test_a_folded_line_longer_than_the_bound_refuses_the_file():
    note = b"NOTE:" + b"x" * 3000
    data = vcf(b"N:Dupont;Jean", fold(note))
    with pytest.raises(VCardFileError) as refused:
        parse_vcards(data, max_line=2000)
    assert "ligne de plus de" in refused.value.message
    # The same card within the bound is read whole, its folds removed.
    assert one(data, max_line=4000).note == "x" * 3000


def test_the_bound_counts_the_unfolded_bytes_not_the_folds():
    note = b"NOTE:" + b"y" * 1990  # 1995 bytes once unfolded, about 2050 with its folds
    data = vcf(b"N:Dupont;Jean", fold(note, 40))
    assert one(data, max_line=2000).note == "y" * 1990
    assert longest_logical_line(b"A:1\n" + fold(note, 40).replace(b"\r\n", b"\n") + b"\nB:2", 10_000) == 1995


def test_quoted_printable_soft_breaks_are_bounded_too():
    qp = b"NOTE;ENCODING=QUOTED-PRINTABLE:" + b"=\r\n".join([b"abcdefghij" * 7] * 60)  # 4,200 bytes of text
    data = vcf(b"N:Dupont;Jean", qp, version=b"2.1")
    with pytest.raises(VCardFileError):
        parse_vcards(data, max_line=2000)
    assert one(data, max_line=8000).note == "abcdefghij" * 7 * 60


def test_unindented_base64_of_2_1_is_bounded_too():
    lines = [b"PHOTO;ENCODING=BASE64;TYPE=JPEG:" + b"QUJD" * 19] + [b"QUJD" * 19] * 60 + [b""]
    with pytest.raises(VCardFileError):
        parse_vcards(vcf(b"N:Dupont;Jean", *lines, version=b"2.1"), max_line=2000)


def test_many_lines_under_the_bound_are_all_read():
    lines = [fold(b"X-CRM-OTHER:" + b"z" * 1500) for _ in range(20)]
    card = one(vcf(b"N:Dupont;Jean", *lines), max_line=2000)
    assert [extra.value for extra in card.extras] == ["z" * 1500] * 20


# ------------------------------------------------------------------------------------------ unfold, then decode

@pytest.mark.parametrize("width", [10, 11, 12, 13, 75])
def test_a_fold_inside_a_multibyte_character_does_not_make_mojibake(width):
    text = "Hélène Lefèvre, Zoë à Besançon — 東京 😀 " * 3
    data = vcf(b"N:Lef\xc3\xa8vre;H\xc3\xa9l\xc3\xa8ne", fold(("NOTE:" + text).encode("utf-8"), width))
    card = one(data)
    assert card.note == text.strip()
    assert not card.warnings


def test_a_fold_inside_a_character_of_a_quoted_printable_card():
    text = "Château d'Aÿ, Besançon"
    note = fold(("TITLE:" + text).encode("utf-8"), 9)
    data = vcf(b"N;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:Ch=C3=A2teau;Jos=C3=A9", note, version=b"2.1")
    card = one(data)
    assert (card.last_name, card.title) == ("Château", text)


def test_a_fold_inside_a_character_with_a_declared_8bit_charset():
    note = fold("NOTE;CHARSET=UTF-8:Thérèse Müller".encode("utf-8"), 11)
    data = vcf(b"N;CHARSET=ISO-8859-1:M\xfcller;Th\xe9r\xe8se", note, version=b"2.1")
    card = one(data)
    assert (card.last_name, card.first_name, card.note) == ("Müller", "Thérèse", "Thérèse Müller")


# ------------------------------------------------------------------------------------------ quoted-printable

def test_soft_breaks_followed_by_blank_lines_decode_fully():
    data = vcf(b"N:Dupont;Jean",
               b"NOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:Premi=C3=A8re ligne=0D=0A=",
               b"",
               b"Deuxi=C3=A8me=0D=0A=",
               b"",
               b"",
               b"=0D=0ATroisi=C3=A8me",
               b"TEL;WORK:01 20 35 99 65",
               version=b"2.1")
    card = one(data)
    assert card.note == "Première ligne\nDeuxième\n\nTroisième"
    assert [p.value for p in card.phones] == ["01 20 35 99 65"]


def test_a_soft_break_then_a_blank_line_then_the_next_property_ends_the_value():
    data = vcf(b"N:Dupont;Jean", b"NOTE;ENCODING=QUOTED-PRINTABLE:fin=", b"", b"TEL;CELL:06 12 34 56 78",
               version=b"2.1")
    card = one(data)
    assert card.note == "fin"
    assert [p.value for p in card.phones] == ["06 12 34 56 78"]
