"""TMX 1.4 output: valid XML with the header translation-memory tools require."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from click.testing import CliRunner

from align.cli import main
from align.tmx import to_tmx
from conftest import FIXTURES

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
REQUIRED_HEADER = {"creationtool", "creationtoolversion", "segtype", "o-tmf", "adminlang", "srclang", "datatype"}


def test_header_has_every_required_attribute():
    root = ET.fromstring(to_tmx([("你好。", "Hello.")], "zh", "en"))
    assert root.tag == "tmx" and root.get("version") == "1.4"
    header = root.find("header")
    assert REQUIRED_HEADER <= set(header.attrib)
    assert header.get("srclang") == "zh" and header.get("segtype") == "sentence"


def test_markup_characters_and_control_characters_survive_parsing():
    src = '价格<10美元 & "免费"试用'
    tgt = "Price < $10 & \"free\" trial\x07 isn't <b>bold</b>"
    root = ET.fromstring(to_tmx([(src, tgt)], "zh", "en"))
    segs = [seg.text for seg in root.iter("seg")]
    assert segs == [src, "Price < $10 & \"free\" trial isn't <b>bold</b>"]


def test_pairs_with_an_empty_side_are_left_out():
    root = ET.fromstring(to_tmx([("一。", "One."), ("二。", ""), ("", "Three.")], "zh", "en", scores=[0.9, 0, 0]))
    units = root.findall("body/tu")
    assert len(units) == 1
    assert [t.get(XML_LANG) for t in units[0].findall("tuv")] == ["zh", "en"]
    assert units[0].find("prop").text == "0.9000"


def test_cli_tmx_of_the_fixture(tmp_path):
    out = tmp_path / "conference.tmx"
    zh, en = FIXTURES / "zh" / "conference.zh.txt", FIXTURES / "zh" / "conference.en.txt"
    result = CliRunner().invoke(main, ["parallel", str(zh), str(en), "--presplit", "--to", "tmx", "-o", str(out)])
    assert result.exit_code == 0, result.output
    root = ET.parse(out).getroot()
    units = root.findall("body/tu")
    assert len(units) == 7
    first = [t.find("seg").text for t in units[0].findall("tuv")]
    assert first == ["今天早上，李明在北京参加了一个关于人工智能的会议。",
                     "This morning, Li Ming attended a conference on artificial intelligence in Beijing."]
