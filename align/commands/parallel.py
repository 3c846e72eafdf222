"""`transcript-align parallel`: align a text with its translation into sentence beads."""

from __future__ import annotations

import click

from align.parallel import FORMATS, align_texts, render
from cleaners.decode import read_text
from cleaners.errors import InputError
from cleaners.output import check_not_input, write_bytes, write_text


@click.command("parallel")
@click.argument("src", type=click.Path(allow_dash=True))
@click.argument("tgt", type=click.Path(allow_dash=True))
@click.option("--src-lang", default="zh", show_default=True, help="Language of SRC (zh: Chinese segmentation and CEDICT).")
@click.option("--tgt-lang", default="en", show_default=True, help="Language of TGT.")
@click.option("--presplit", is_flag=True, help="The inputs hold one sentence a line (as in MAC-Test); do not segment.")
@click.option("-o", "--output", "out", type=click.Path(allow_dash=True), help="Output file (default: stdout).")
@click.option("--to", "fmt", type=click.Choice(FORMATS), default="tsv", show_default=True,
              help="beads: [i,j]:[k] lines; tsv/jsonl/parquet: a row per bead with texts and score; tmx: TMX 1.4.")
@click.option("--encoder/--no-encoder", "use_encoder", default=None,
              help="Use the multilingual sentence encoder (default: when installed), or the dictionary alone.")
def command(src, tgt, src_lang, tgt_lang, presplit, out, fmt, use_encoder):
    """Align SRC with its translation TGT into beads of 1-1, 1-2, 2-1, 2-2 ... sentences, with a score each.

    \b
    transcript-align parallel book.zh book.en --presplit --to beads
    transcript-align parallel article.zh.txt article.en.txt --to tmx -o article.tmx
    """
    check_not_input(out, [src, tgt])
    if src == "-" and tgt == "-":
        raise InputError("-", "SRC and TGT cannot both be standard input")
    table = align_texts(read_text(src), read_text(tgt), src_lang=src_lang, tgt_lang=tgt_lang,
                        presplit=presplit, use_encoder=use_encoder,
                        warn=lambda message: click.echo(f"transcript-align: note: {message}", err=True))
    data = render(fmt, table, src_lang=src_lang, tgt_lang=tgt_lang)
    (write_bytes if isinstance(data, bytes) else write_text)(out, data)
