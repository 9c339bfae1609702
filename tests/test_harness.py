"""The test harness itself: what the suite's speed and isolation rely on."""

from __future__ import annotations

import pytest


@pytest.mark.xdist_group("harness")
def test_xdist_keeps_a_group_on_one_worker(request):
    """Tests of one xdist_group share a fixture that is expensive (a render) or that they edit in turn
    (test_incremental.py). pytest-xdist 3.8 marks the group in the node id, and pytest 9.2 no longer
    lets it (pytest-xdist#1386): the groups are then spread over the workers without a word, and each
    worker builds its own copy. requirements.lock pins a pytest it works with."""
    if not getattr(request.config.option, "loadgroup", False):  # set on xdist workers under loadgroup
        pytest.skip("not run by a pytest-xdist worker under --dist loadgroup")
    assert request.node.nodeid.endswith("@harness"), (
        f"--dist loadgroup did not group {request.node.nodeid}: this pytest and pytest-xdist do not "
        "work together (see requirements.lock)"
    )


def one_page_pdf(path, content: bytes, image: bool = False) -> None:
    """A 200 × 200 pt PDF page drawing `content` with Helvetica as /F1 (and, with `image`, a 1 × 1
    grey raster image as /Im1)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >>%s >> >>" % (b" /XObject << /Im1 6 0 R >>" if image else b""),
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    if image:
        objects.append(
            b"<< /Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray "
            b"/BitsPerComponent 8 /Length 1 >>\nstream\n\x80\nendstream"
        )
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))


def test_read_pdf_finds_text_off_the_page_and_raster_images(tmp_path):
    """What the workflow tests read off the report's PDF (rendered_text.read_pdf): a run placed past
    the page's edge is reported, one on it is not, and a drawn raster image is counted."""
    from rendered_text import read_pdf

    inside = tmp_path / "inside.pdf"
    one_page_pdf(inside, b"BT /F1 12 Tf 20 100 Td (Inside) Tj ET")
    pages = read_pdf(inside)
    assert "Inside" in pages.text() and pages.off_page == [[]] and pages.images == 0

    outside = tmp_path / "outside.pdf"
    one_page_pdf(outside, b"BT /F1 12 Tf 20 100 Td (Inside) Tj ET BT /F1 12 Tf 250 100 Td (Outside) Tj ET")
    assert [run[2].strip() for run in read_pdf(outside).off_page[0]] == ["Outside"]

    image = tmp_path / "image.pdf"
    one_page_pdf(image, b"q 10 0 0 10 20 20 cm /Im1 Do Q", image=True)
    assert read_pdf(image).images == 1
