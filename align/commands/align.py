"""`transcript-align align`: trace documents to the transcript's timeline."""

from __future__ import annotations

import click

from align import report
from align.documents import KINDS
from cleaners.output import check_not_input, write_bytes, write_text


@click.command("align")
@click.argument("transcript", type=click.Path(allow_dash=True))
@click.argument("documents", nargs=-1, required=True, type=click.Path())
@click.option("-o", "--output", "out", type=click.Path(allow_dash=True), help="Output file (default: stdout).")
@click.option("--to", "fmt_out", type=click.Choice(report.THREEWAY_FORMATS), default="jsonl", show_default=True,
              help="Output format (tmx only with --translation or --bilingual).")
@click.option("--kind", type=click.Choice(KINDS), help="Layout of the documents (default: sniffed per document).")
@click.option("--speakers", help='Names for the speaker turns when TRANSCRIPT is raw captions, e.g. "Host,Guest".')
@click.option("--format", "fmt_in", help="Caption format of TRANSCRIPT when it is raw captions (default: sniffed).")
@click.option("--translation", type=click.Path(), metavar="EN_DOC",
              help="The English translation of the one Chinese DOC: write a three-way table instead.")
@click.option("--bilingual", is_flag=True,
              help="DOC holds both sides: each Chinese paragraph followed by a <details> block with the English.")
def command(transcript, documents, out, fmt_out, kind, speakers, fmt_in, translation, bilingual):
    """Trace each sentence, bullet and quote of DOCUMENTS to the moment of TRANSCRIPT that supports it.

    TRANSCRIPT is raw captions (cleaned on the fly, with the documents as context for names) or
    the JSONL that `transcript-align clean` writes. Each unit ends `supported` with a start, an end
    and a score in [0, 1], or `unsupported`; a time the document claims is checked (exact within
    15 s, near within 60 s, wrong). A summary of the counts goes to stderr.

    \b
    transcript-align align episode.txt summary.txt page.txt --to md -o trace.md

    With --translation EN_DOC (or --bilingual), the one DOC is a Chinese document and EN_DOC its
    English translation: the two are aligned sentence by sentence, each pair's English side is
    traced onto TRANSCRIPT (its Chinese side when the English finds no support), and the output
    has one row per sentence pair: pair, zh, en, start, end, sentences, score, status, time_from
    (en or zh), bead_score. The documents may be Markdown with headings and **Name**: tags.

    \b
    transcript-align align episode.txt talk.zh.md --translation talk.en.md --to md
    transcript-align align episode.txt bilingual.md --bilingual --to tmx -o pairs.tmx
    """
    from align.trace import align_documents, load_transcript

    check_not_input(out, [transcript, *documents, *([translation] if translation else [])])
    if translation or bilingual:
        _three_way(transcript, documents, out, fmt_out, speakers, fmt_in, translation)
        return
    if fmt_out == "tmx":
        raise click.UsageError("--to tmx needs --translation EN_DOC or --bilingual")
    names = [s.strip() for s in speakers.split(",") if s.strip()] if speakers else None
    sentences = load_transcript(transcript, documents=list(documents), speakers=names, fmt=fmt_in)
    trace = align_documents(sentences, list(documents), kind=kind)
    data = report.render(fmt_out, trace)
    (write_bytes if isinstance(data, bytes) else write_text)(out, data)
    for line in report.summary_lines(trace):
        click.echo(line, err=True)


def _three_way(transcript, documents, out, fmt_out, speakers, fmt_in, translation):
    from align.threeway import align_translation
    from align.trace import load_transcript

    if len(documents) != 1:
        raise click.UsageError("--translation and --bilingual take exactly one Chinese DOC")
    names = [s.strip() for s in speakers.split(",") if s.strip()] if speakers else None
    sentences = load_transcript(transcript, documents=[translation or documents[0]], speakers=names, fmt=fmt_in)
    table = align_translation(sentences, documents[0], translation, warn=lambda m: click.echo(m, err=True))
    data = report.render_threeway(fmt_out, table)
    (write_bytes if isinstance(data, bytes) else write_text)(out, data)
    done = table.filter(table["status"] == "supported")
    click.echo(f"{table.height} sentence pairs, {done.height} traced "
               f"({(done['time_from'] == 'zh').sum()} by the Chinese side), {table.height - done.height} unsupported", err=True)
