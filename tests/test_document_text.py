"""The documents area's file types and texts (webapp/services/document_text.py): every file is made here with the
libraries that write them for real (fpdf2, pypdf, python-docx, odfpy, the email package, Pillow, zipfile). No
database, no app."""
import io
import multiprocessing
import random
import time
import zipfile
from email.message import EmailMessage
from pathlib import Path

import docx
import msoffcrypto.format.ooxml
import pypdf
import pytest
from fpdf import FPDF
from odf.opendocument import OpenDocumentText
from odf.table import Table, TableCell, TableColumn, TableRow
from odf.text import H, P
from PIL import Image

from webapp.services import document_text
from webapp.services.document_text import PROBLEMS, extract, sniff, suggestions

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
NDA = "Accord de confidentialité signé à Besançon par Hélène DUPONT, déléguée générale, le 3 février."


def read(data: bytes, filename: str, **bounds):
    """(kind, text, problem) of a file, as the documents area would file it."""
    kind = sniff(data, filename)
    found = extract(data, kind, **bounds)
    return kind.kind, found.text, found.problem


def pdf_bytes(*pages: str, font: Path | None = None) -> bytes:
    pdf = FPDF()
    if font:
        pdf.add_font("Body", fname=str(font))
    pdf.set_font("Body" if font else "Helvetica", size=11)  # Helvetica: a core font, Latin-1 text
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 8, text)
    return bytes(pdf.output())


def png_bytes(size=(300, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (240, 240, 230)).save(out, "PNG")
    return out.getvalue()


# --- PDF -------------------------------------------------------------------------------------------------------

def test_a_pdf_gives_its_text_with_its_accents_page_by_page():
    data = pdf_bytes(NDA, "Page deux : la durée de l'accord est de cinq ans.")
    kind = sniff(data, "NDA client.pdf")
    assert (kind.kind, kind.mime, kind.label) == ("pdf", "application/pdf", "PDF")
    found = extract(data, kind)
    assert found.problem is None
    assert "Besançon" in found.text and "Hélène DUPONT" in found.text and "déléguée générale" in found.text
    assert found.text.index("Besançon") < found.text.index("la durée de l'accord")


@pytest.mark.skipif(not DEJAVU.exists(), reason="no DejaVu Sans font on this machine")
def test_a_pdf_in_a_unicode_font_gives_the_characters_latin_1_lacks():
    _kind, text, problem = read(pdf_bytes("Œuvre commandée : 1 200 € HT, cœur du projet.", font=DEJAVU), "devis.pdf")
    assert problem is None and "Œuvre commandée : 1 200 € HT, cœur du projet." in text


def test_a_scanned_pdf_has_no_text_and_says_so():
    pdf = FPDF()
    pdf.add_page()
    pdf.image(Image.open(io.BytesIO(png_bytes())), x=10, y=10, w=150)
    kind, text, problem = read(bytes(pdf.output()), "carte de visite.pdf")
    assert (kind, text, problem) == ("pdf", "", "Aucun texte lisible : document scanné (images seulement).")
    blank = FPDF()
    blank.add_page()
    assert read(bytes(blank.output()), "vide.pdf") == ("pdf", "", "Aucun texte dans ce fichier.")  # not "scanné"


def test_a_pdf_needing_a_password_is_filed_without_text_and_one_only_protected_against_changes_is_read():
    def encrypted(user_password: str) -> bytes:
        writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(pdf_bytes(NDA))))
        writer.encrypt(user_password, owner_password="proprietaire")
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()

    assert read(encrypted("secret"), "nda.pdf") == ("pdf", "", "Fichier protégé par un mot de passe : texte non lu.")
    kind, text, problem = read(encrypted(""), "nda.pdf")
    assert problem is None and "Hélène DUPONT" in text


def test_a_broken_pdf_says_it_is_unreadable():
    data = pdf_bytes(NDA)
    kind, text, problem = read(data[:len(data) // 3] + b"\x00garbage", "abime.pdf")
    assert kind == "pdf" and text == "" and problem.startswith("Fichier illisible")


def test_the_text_is_cut_at_max_chars():
    _kind, text, problem = read(pdf_bytes(*[NDA] * 20), "long.pdf", max_chars=200)
    assert problem is None and 190 < len(text) <= 200 and text.count("Accord de confidentialité") == 2
    assert text.endswith("le 3 février.\nAccord de")  # 20 pages were there: reading stopped at the bound


# --- Word, OpenDocument ----------------------------------------------------------------------------------------

def docx_bytes(build) -> bytes:
    document = docx.Document()
    build(document)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_docx_gives_its_paragraphs_and_its_tables_cells_in_order():
    def build(document):
        document.add_heading("Proposition commerciale", level=1)
        document.add_paragraph("Préparée pour Étienne Lefèvre, directeur des achats.")
        table = document.add_table(rows=2, cols=3)
        table.cell(0, 0).text = "Prestation"
        table.cell(0, 1).merge(table.cell(0, 2)).text = "Tarif négocié"
        table.cell(1, 0).text = "Maintenance annuelle"
        table.cell(1, 1).text = "12 000 €"
        table.cell(1, 2).text = "payable à réception"
        document.add_paragraph("Fin de la proposition.")

    data = docx_bytes(build)
    kind = sniff(data, "proposition.docx")
    assert (kind.kind, kind.label) == ("docx", "Word") and kind.mime.endswith("wordprocessingml.document")
    found = extract(data, kind)
    assert found.problem is None
    lines = found.text.split("\n")
    assert lines[:2] == ["Proposition commerciale", "Préparée pour Étienne Lefèvre, directeur des achats."]
    assert lines[2:] == ["Prestation", "Tarif négocié", "Maintenance annuelle", "12 000 €", "payable à réception",
                         "Fin de la proposition."]  # the merged cell once


def test_a_docx_renamed_txt_is_still_a_docx_and_an_empty_one_says_it_holds_no_text():
    assert sniff(docx_bytes(lambda d: d.add_paragraph("Réunion")), "notes.txt").kind == "docx"
    assert read(docx_bytes(lambda d: None), "vide.docx") == ("docx", "", "Aucun texte dans ce fichier.")


def test_a_password_protected_docx_is_a_word_file_without_text():
    encrypted = io.BytesIO()
    msoffcrypto.format.ooxml.OOXMLFile(io.BytesIO(docx_bytes(lambda d: d.add_paragraph(NDA)))).encrypt(
        "secret", encrypted)
    assert read(encrypted.getvalue(), "NDA.docx") == ("docx", "", PROBLEMS["password"])
    assert sniff(encrypted.getvalue(), "NDA.bin").kind == "other"  # an OLE file: the name says which


def test_an_odt_gives_its_headings_paragraphs_and_table_cells():
    document = OpenDocumentText()
    document.text.addElement(H(outlinelevel=1, text="Compte rendu de réunion"))
    document.text.addElement(P(text="Présents : Zoé Marchand et Noël GARNIER."))
    table = Table(name="Actions")
    table.addElement(TableColumn(numbercolumnsrepeated=2))
    row = TableRow()
    for value in ("Relancer le client", "avant le 15 décembre"):
        cell = TableCell()
        cell.addElement(P(text=value))
        row.addElement(cell)
    table.addElement(row)
    document.text.addElement(table)
    out = io.BytesIO()
    document.write(out)
    kind = sniff(out.getvalue(), "CR.odt")
    assert (kind.kind, kind.mime, kind.label) == ("odt", "application/vnd.oasis.opendocument.text", "OpenDocument")
    found = extract(out.getvalue(), kind)
    assert found.problem is None
    assert found.text.split("\n") == ["Compte rendu de réunion", "Présents : Zoé Marchand et Noël GARNIER.",
                                      "Relancer le client", "avant le 15 décembre"]


def test_a_zip_bomb_renamed_docx_is_refused_quickly_without_being_decompressed(monkeypatch):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w") as member:  # 1 GB of zeros, written 1 MB at a time
            zeros = bytes(1 << 20)
            for _ in range(1024):
                member.write(zeros)
    data = out.getvalue()
    assert len(data) < 10 * 1024 * 1024
    kind = sniff(data, "rapport.docx")
    assert kind.kind == "docx"

    def no_reading(*args):
        raise AssertionError("the bomb was handed to a parser")

    monkeypatch.setattr(document_text, "run_bounded", no_reading)
    start = time.monotonic()
    found = extract(data, kind)
    assert time.monotonic() - start < 1
    assert (found.text, found.problem) == ("", "Lecture interrompue : fichier trop gros une fois décompressé.")


# --- E-mail ----------------------------------------------------------------------------------------------------

def test_an_eml_gives_its_headers_its_plain_text_and_its_attachments_names_not_their_content():
    message = EmailMessage()
    message["From"] = "Hélène Dupont <Helene.Dupont@Example.fr>"
    message["To"] = "commercial@notre-societe.fr"
    message["Subject"] = "Devis révisé pour l'été"
    message["Date"] = "Tue, 04 Mar 2025 10:12:00 +0100"
    message.set_content("Bonjour,\n\nVoici le devis révisé, à signer avant vendredi.\n\nCordialement,\nHélène")
    message.add_alternative("<p>Bonjour, <b>version HTML</b></p>", subtype="html")
    message.add_attachment(b"CONTENU-DE-LA-PIECE-JOINTE", maintype="text", subtype="plain", filename="conditions.txt")
    message.add_attachment(pdf_bytes("Devis"), maintype="application", subtype="pdf", filename="devis été.pdf")
    data = message.as_bytes()
    kind = sniff(data, "Devis.eml")
    assert (kind.kind, kind.label) == ("eml", "E-mail")
    found = extract(data, kind)
    assert found.problem is None
    assert "Subject: Devis révisé pour l'été" in found.text
    assert "From: Hélène Dupont <Helene.Dupont@Example.fr>" in found.text
    assert "Voici le devis révisé, à signer avant vendredi." in found.text
    assert "Pièces jointes : conditions.txt, devis été.pdf" in found.text
    assert "CONTENU-DE-LA-PIECE-JOINTE" not in found.text and "version HTML" not in found.text


def test_an_eml_with_only_html_gives_its_text_without_tags_or_script():
    message = EmailMessage()
    message["From"] = "newsletter@example.com"
    message["Subject"] = "Invitation"
    message.set_content("<html><head><style>p{color:red}</style></head><body><p>Rendez-vous au salon&nbsp;de "
                        "<b>Lyon</b> &amp; dîner.</p><script>alert('x')</script><p>À bientôt</p></body></html>",
                        subtype="html")
    kind, text, problem = read(message.as_bytes(), "invitation.eml")
    assert kind == "eml" and problem is None
    assert "Rendez-vous au salon de Lyon & dîner." in text and "À bientôt" in text
    assert "<" not in text and "alert" not in text and "color" not in text


def test_notes_beginning_like_a_header_are_text_but_a_saved_message_named_otherwise_is_an_email():
    notes = "Date: 12 mars\nRéunion avec le client, points à revoir.\n".encode()
    assert sniff(notes, "notes.txt").kind == "text"
    message = b"From: a@example.com\r\nSubject: Bonjour\r\nDate: Tue, 04 Mar 2025 10:12:00 +0100\r\n\r\nCorps\r\n"
    assert sniff(message, "message.txt").kind == "eml"


# --- Text ------------------------------------------------------------------------------------------------------

def test_utf8_and_windows_1252_text_files_give_their_accents():
    notes = "Réunion du 3 février\n\n\n  Points   abordés :\tcahier des charges, délais, coût.\x00\n"
    for encoding, charset in (("utf-8", "utf-8"), ("cp1252", "windows-1252")):
        data = notes.replace("\x00", "").encode(encoding)
        kind = sniff(data, "notes.txt")
        assert (kind.kind, kind.mime, kind.label) == ("text", f"text/plain; charset={charset}", "Texte")
        found = extract(data, kind)
        assert found.text == "Réunion du 3 février\n\nPoints abordés : cahier des charges, délais, coût."


# --- What is no document: HTML, SVG, images, anything else -----------------------------------------------------

def test_html_renamed_pdf_and_svg_with_script_are_other_files_served_as_attachments():
    html = b"<!DOCTYPE html><html><body><script>document.location='https://evil.example'</script></body></html>"
    svg = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    plain_svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'
    for data, name in ((html, "facture.pdf"), (svg, "logo.svg"), (svg, "logo.png"), (plain_svg, "logo.svg"),
                       (b"Notes <script>alert(1)</script>", "notes.txt")):
        kind = sniff(data, name)
        assert (kind.kind, kind.mime, kind.label) == ("other", "application/octet-stream", "Fichier"), name
        assert extract(data, kind).text == "" and extract(data, kind).problem is None


def test_images_are_images_with_no_text_and_nothing_to_say():
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 20, 30)).save(out, "JPEG")
    for data, name, mime in ((png_bytes(), "carte.png", "image/png"), (out.getvalue(), "photo.bin", "image/jpeg")):
        kind = sniff(data, name)
        assert (kind.kind, kind.mime, kind.label) == ("image", mime, "Image")
        assert extract(data, kind) == document_text.Extracted("", None)
    bmp = io.BytesIO()
    Image.new("RGB", (4, 4)).save(bmp, "BMP")
    assert sniff(bmp.getvalue(), "image.bmp").kind == "other"  # not one of the four formats served inline


def test_random_bytes_and_an_empty_file_are_other():
    noise = random.Random(7).randbytes(5000)
    assert sniff(noise, "rapport.pdf").kind == "other"
    assert sniff(noise.replace(b"\x00", b"\x01"), "rapport.txt").kind == "other"  # no NUL, still binary
    assert sniff(b"", "vide.txt").kind == "other"
    assert sniff(b"PK\x03\x04 not really a zip", "x.docx").kind == "other"


# --- Bounds ----------------------------------------------------------------------------------------------------

def test_a_parser_stuck_forever_is_killed_after_the_timeout(monkeypatch):
    def stuck(data, out):
        time.sleep(3600)

    monkeypatch.setattr(document_text, "_pdf_text", stuck)
    start = time.monotonic()
    found = extract(pdf_bytes(NDA), sniff(pdf_bytes(NDA), "nda.pdf"), timeout=1)
    assert time.monotonic() - start < 5
    assert (found.text, found.problem) == ("", "Lecture interrompue : fichier trop long à lire.")
    assert multiprocessing.active_children() == []  # the child is gone, not left running


def test_a_parser_taking_too_much_memory_is_stopped(monkeypatch):
    def hog(data, out):
        blocks = [bytearray(1 << 20) for _ in range(4096)]  # 4 GB if nothing stopped it
        out.add(f"read {len(blocks)} MB")

    monkeypatch.setattr(document_text, "_docx_text", hog)
    data = docx_bytes(lambda d: d.add_paragraph("x"))
    found = extract(data, sniff(data, "x.docx"), max_memory=128 * 1024 * 1024)
    assert (found.text, found.problem) == ("", "Lecture interrompue : fichier trop gros une fois décompressé.")


# --- Suggestions -----------------------------------------------------------------------------------------------

def test_suggestions_find_addresses_and_first_name_last_name_pairs():
    text = ("From: Hélène Dupont <Helene.Dupont@Example.fr>\nCc: achats@client.example.com, "
            "helene.dupont@example.fr.\nBonjour Marc,\nJe vous présente Jean-Pierre MARTIN et Zoé N'DIAYE.\n"
            "Cordialement,\nÉmilie Lefèvre-Durand\nSociété Générale\nvoir www.example.fr ou @handle")
    found = suggestions(text)
    assert found.emails == ["helene.dupont@example.fr", "achats@client.example.com"]
    assert found.names == [("Jean-Pierre", "MARTIN"), ("Zoé", "N'DIAYE"), ("Hélène", "Dupont"),
                           ("Émilie", "Lefèvre-Durand")]  # not "Bonjour Marc", nor "Société Générale"


def test_suggestions_are_bounded_and_quick_on_hostile_text():
    firsts, lasts = ("Anne", "Paul", "Inès", "Hugo", "Léa"), ("Roux", "BLANC", "Faure", "Girard", "MOREL")
    many = "\n".join(f"contact{i}@example.com {first} {last}" for i, (first, last) in
                     enumerate((first, last) for first in firsts for last in lasts))
    found = suggestions(many)
    assert len(found.emails) == 20 and found.emails[0] == "contact0@example.com"
    assert len(found.names) == 20 and found.names[0] == ("Anne", "BLANC")  # "Prénom NOM" first
    start = time.monotonic()
    suggestions("a" * 2_000_000 + "@" + "b." * 100_000)
    suggestions("Aa " * 700_000)
    assert time.monotonic() - start < 5
