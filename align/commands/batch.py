"""`transcript-align batch`: a folder of episodes into one Parquet corpus (wraps :func:`align.batch.run_batch`)."""

from __future__ import annotations

import os
import sys

import click

from cleaners import LEVELS


@click.command("batch")
@click.argument("in_dir", type=click.Path(file_okay=False))
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Output folder for the Parquet dataset (new or empty, or a batch to --resume).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=os.cpu_count() or 1, show_default="CPU count",
              help="Episodes processed at the same time (local processes or Dask workers).")
@click.option("--resume", is_flag=True, help="Continue a batch in OUT_DIR: skip finished episodes; redo unfinished and failed ones.")
@click.option("--executor", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="local: a process pool on this machine; dask: a Dask cluster (optional extra 'dask').")
@click.option("--scheduler", metavar="ADDRESS",
              help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (default: a local cluster).")
@click.option("--level", type=click.Choice(LEVELS), default="standard", show_default=True,
              help="Cleaning level for episodes whose episode.toml names none.")
@click.option("--speakers", help='Speaker names for episodes whose episode.toml names none, e.g. "Host,Guest".')
@click.option("--glossary", multiple=True, type=click.Path(dir_okay=False), help="Glossary file used for every episode.")
@click.option("--no-align", is_flag=True, help="Clean only; do not align the companion documents.")
def command(in_dir, out_dir, jobs, resume, executor, scheduler, level, speakers, glossary, no_align):
    """Clean (and align) every episode folder in IN_DIR into a Parquet dataset in OUT_DIR.

    An episode is a sub-folder with one caption file and any companion documents
    (.txt, .md); an optional episode.toml names the captions, documents, speakers,
    glossary, level and document languages where sniffing is not enough.

    OUT_DIR gets sentences/, edits/, alignments/ (and parallel/) partitioned by
    episode (episode=NAME/part-0.parquet), status.parquet with one row per
    episode, and a summary on stdout. A failing episode does not stop the
    others. Exit code: 0 when every episode is ok, 1 when some failed
    (see status.parquet), 2 when the batch could not run at all.
    """
    from align.batch import Settings, run_batch

    settings = Settings(
        level=level,
        speakers=tuple(s.strip() for s in (speakers or "").split(",") if s.strip()),
        glossary=tuple(glossary),
        align=not no_align,
    )
    show = _Progress()
    report = run_batch(in_dir, out_dir, settings, jobs=jobs, resume=resume, executor=executor,
                       scheduler=scheduler, on_start=show.start, on_episode=show.episode)
    show.finish()
    click.echo(report.summary())
    if report.failed.height:
        sys.exit(1)


class _Progress:
    """A progress bar on a terminal; one plain line per episode otherwise (logs, pipes, CI)."""

    def __init__(self):
        self.tty = sys.stderr.isatty()
        self.bar = None
        self.total = 0
        self.count = 0
        self.failed = 0

    def start(self, total: int) -> None:
        self.total = total
        if self.tty and total:
            self.bar = click.progressbar(length=total, label="episodes", file=sys.stderr,
                                         item_show_func=lambda r: r and r["folder"])
            self.bar.__enter__()
        elif not self.tty:
            click.echo(f"batch: {total} episodes to process", err=True)

    def episode(self, record: dict) -> None:
        self.count += 1
        if self.bar is not None:
            self.bar.update(1, record)
            return
        # Quiet in logs: every failure, and a count about every 5% of the batch.
        if record["status"] != "ok":
            self.failed += 1
            click.echo(f"batch: {record['folder']}: FAILED: {record['error']}", err=True)
        if self.count == self.total or self.count % max(1, self.total // 20) == 0:
            click.echo(f"batch: {self.count}/{self.total} episodes done ({self.failed} failed)", err=True)

    def finish(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
