"""The ``transcript-align`` command line: thin wrappers over the library functions."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from cleaners import LEVELS, TranscriptAlignError, clean_file, export
from cleaners.output import check_not_input, write_bytes, write_text
from cleaners.readers import formats


class Group(click.Group):
    """Turns library errors into one-line messages and exit code 2, never a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except TranscriptAlignError as e:
            click.echo(f"transcript-align: error: {e}", err=True)
            sys.exit(2)
        except BrokenPipeError:
            sys.exit(0)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="transcript-align")
def main():
    """Clean raw captions and trace companion documents (English or Chinese) to the talk's timeline."""


def _speakers(value: str | None) -> list[str]:
    return [s.strip() for s in value.split(",") if s.strip()] if value else []


def _emit(out, data) -> None:
    (write_bytes if isinstance(data, bytes) else write_text)(out, data)


@main.command()
@click.argument("input", type=click.Path(allow_dash=True))
@click.option("-o", "--output", "out", type=click.Path(allow_dash=True), help="Output file (default: stdout).")
@click.option("--to", "fmt_out", type=click.Choice(export.FORMATS), default="jsonl", show_default=True)
@click.option("--format", "fmt_in", type=click.Choice(formats()), help="Input format (default: sniffed).")
@click.option("--level", type=click.Choice(LEVELS), default="standard", show_default=True,
              help="light: fillers and stutters; standard: also discourse fillers; clean: also false starts.")
@click.option("--speakers", help='Names for the speaker turns in order of first appearance, e.g. "Host,Guest".')
@click.option("--glossary", multiple=True, type=click.Path(), help="Glossary file: TSV wrong<TAB>right, or one right spelling a line.")
@click.option("--context", multiple=True, type=click.Path(), help="Companion document whose spellings of names to trust.")
@click.option("--censor-marker", default="[censored]", show_default=True, help="What a censored word [ __ ] becomes.")
@click.option("--explain", is_flag=True, help="Print, per pass, how many tokens it changed, with examples (to stderr).")
def clean(input, out, fmt_out, fmt_in, level, speakers, glossary, context, censor_marker, explain):
    """Clean raw captions (SRT, VTT, YouTube/Whisper JSON, caption pages, timed lines) into sentences."""
    check_not_input(out, [input, *glossary, *context])
    result = clean_file(input, fmt=fmt_in, level=level, speakers=_speakers(speakers),
                        glossary=list(glossary), context=list(context), censor_marker=censor_marker)
    if explain:
        click.echo(explain_edits(result.edits), err=True)
    _emit(out, export.render(fmt_out, result.sentences, result.edits))


def explain_edits(edits, examples: int = 3) -> str:
    """Per pass: tokens changed and a few examples ``raw -> out``."""
    from cleaners.pipeline import passes

    lines = []
    for p in passes():
        rows = edits.filter(edits["rule"] == p.name)
        shown = ", ".join(f"{r['raw']!r}->{r['out']!r}" for r in rows.head(examples).iter_rows(named=True))
        lines.append(f"{p.name:<14} {rows.height:>6}  {p.about}" + (f"\n{'':<22}e.g. {shown}" if shown else ""))
    return "\n".join(lines)


@main.command()
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False), help="Also write the outputs to this folder.")
def demo(out_dir):
    """Clean the bundled example episode and summarise what was done."""
    from align import example

    t0 = time.perf_counter()
    result = clean_file(example.captions(), speakers=list(example.SPEAKERS), context=example.documents())
    took = time.perf_counter() - t0
    sents = result.sentences
    words = result.words.filter(result.words["kind"] == "word")
    kept = words.filter(words["out"] != "")
    click.echo(f"episode: {example.captions().name} ({result.format}), {words.height} raw words")
    click.echo(f"cleaned in {took:.2f} s: {kept.height} words kept in {sents.height} sentences, "
               f"{sents['turn'].n_unique()} speaker turns")
    click.echo("edits by pass:")
    for name, n in result.edits.group_by("rule").len().sort("len", descending=True).iter_rows():
        click.echo(f"  {name:<14} {n}")
    click.echo("first sentences:")
    for row in sents.head(4).iter_rows(named=True):
        click.echo(f"  [{row['start']:7.1f}s] {row['speaker']}: {row['text']}")
    trace = _demo_align(sents, example.documents())
    if out_dir:
        Path(out_dir).mkdir(parents=True, exist_ok=True)
        for fmt in ("jsonl", "md", "srt"):
            write_text(Path(out_dir) / f"transcript.{fmt}", export.render(fmt, sents))
        write_text(Path(out_dir) / "edits.jsonl", export.render("edits", sents, result.edits))
        click.echo(f"wrote {out_dir}/transcript.jsonl, transcript.md, transcript.srt, edits.jsonl")
        from align import report

        write_text(Path(out_dir) / "trace.md", report.to_markdown(trace))
        click.echo(f"wrote {out_dir}/trace.md")


def _demo_align(sentences, documents):
    """Trace the four documents and print the counts: units traced, unsupported, claimed times wrong."""
    from align import report
    from align.trace import align_documents

    t0 = time.perf_counter()
    trace = align_documents(sentences, documents)
    c = report.counts(trace)
    click.echo(f"aligned {len(documents)} documents in {time.perf_counter() - t0:.2f} s: {c['units']} units, "
               f"{c['supported']} traced, {c['unsupported']} unsupported; {c['claimed']} claimed times: "
               f"{c['claim_exact']} exact, {c['claim_near']} near, {c['claim_wrong']} wrong, "
               f"{c['claim_unsupported']} not found")
    for line in report.summary_lines(trace):
        click.echo(f"  {line}")
    return trace


def _register_commands() -> None:
    from align.commands import align as align_command, batch, parallel

    for module in (align_command, parallel, batch):
        main.add_command(module.command)


_register_commands()
