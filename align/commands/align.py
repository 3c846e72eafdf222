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
@click.option("--to", "fmt_out", type=click.Choice(report.FORMATS), default="jsonl", show_default=True)
@click.option("--kind", type=click.Choice(KINDS), help="Layout of the documents (default: sniffed per document).")
@click.option("--speakers", help='Names for the speaker turns when TRANSCRIPT is raw captions, e.g. "Host,Guest".')
@click.option("--format", "fmt_in", help="Caption format of TRANSCRIPT when it is raw captions (default: sniffed).")
def command(transcript, documents, out, fmt_out, kind, speakers, fmt_in):
    """Trace each sentence, bullet and quote of DOCUMENTS to the moment of TRANSCRIPT that supports it.

    TRANSCRIPT is raw captions (cleaned on the fly, with the documents as context for names) or
    the JSONL that `transcript-align clean` writes. Each unit ends `supported` with a start, an end
    and a score in [0, 1], or `unsupported`; a time the document claims is checked (exact within
    15 s, near within 60 s, wrong). A summary of the counts goes to stderr.

    \b
    transcript-align align episode.txt summary.txt page.txt --to md -o trace.md
    """
    from align.trace import align_documents, load_transcript

    check_not_input(out, [transcript, *documents])
    names = [s.strip() for s in speakers.split(",") if s.strip()] if speakers else None
    sentences = load_transcript(transcript, documents=list(documents), speakers=names, fmt=fmt_in)
    trace = align_documents(sentences, list(documents), kind=kind)
    data = report.render(fmt_out, trace)
    (write_bytes if isinstance(data, bytes) else write_text)(out, data)
    for line in report.summary_lines(trace):
        click.echo(line, err=True)
