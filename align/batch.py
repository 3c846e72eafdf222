"""Batch: a folder of episodes in, one queryable Parquet corpus out.

Layout of the output folder (a Hive-partitioned Parquet dataset per table)::

    OUT/sentences/episode=NAME/part-0.parquet    clean, timed, speaker-tagged sentences
    OUT/edits/episode=NAME/part-0.parquet        every change cleaning made, with its pass
    OUT/alignments/episode=NAME/part-0.parquet   document units traced to the transcript (when the aligner is installed)
    OUT/parallel/episode=NAME/part-0.parquet     parallel pairs (slot kept for the parallel exporter)
    OUT/status.parquet                           one row per episode: ok | failed, error, seconds, row counts
    OUT/.batch/                                  bookkeeping: done markers and in-flight temporaries

Read a table across all episodes with :func:`read_table` (or
``pl.scan_parquet("OUT/sentences", hive_partitioning=True)``; DuckDB:
``read_parquet('OUT/sentences/*/*.parquet', hive_partitioning = true)``).

Crash safety: an episode's tables are written into ``.batch/partial/``, renamed
into place, and only then is its done marker written (atomically). A batch
killed at any moment and rerun with ``resume=True`` skips episodes with a
marker, removes temporaries and any partition without a marker, and redoes
the rest: nothing lost, nothing twice, no half-written file in the dataset.

The per-episode work is one pure function, :func:`process_episode`, so any
executor (in process, a process pool, a Dask cluster) runs the same code.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import shutil
import time
import traceback
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

import polars as pl
import regex

from align.episode import Episode, read_episode
from align.trace import align_documents
from cleaners import clean_file
from cleaners.errors import InputError, OutputError, TranscriptAlignError
from cleaners.output import atomic_path

TABLES = ("sentences", "edits", "alignments", "parallel")
EXECUTORS = ("local", "dask")
BOOKKEEPING = ".batch"
PART = "part-0.parquet"

STATUS_SCHEMA: dict[str, pl.DataType] = {
    "episode": pl.String,  # the partition name (safe for a path)
    "folder": pl.String,  # the input folder's own name
    "status": pl.String,  # ok | failed
    "error": pl.String,  # one line, for failed episodes
    "seconds": pl.Float64,  # time spent on the episode by its worker
    "sentences": pl.Int64,  # rows written per table (null when the table was not produced)
    "edits": pl.Int64,
    "alignments": pl.Int64,
    "parallel": pl.Int64,
}


@dataclass(frozen=True)
class Settings:
    """Defaults for every episode; an episode's ``episode.toml`` overrides them."""

    level: str = "standard"
    speakers: tuple[str, ...] = ()
    glossary: tuple[str, ...] = ()  # glossary files shared by all episodes
    fmt: str | None = None
    align: bool = True


# ---------------------------------------------------------------- one episode


def process_episode(folder: str | Path | Episode, settings: Settings = Settings()) -> dict[str, pl.DataFrame]:
    """Clean (and align, when the aligner exists) one episode folder. Pure: reads files, writes nothing."""
    episode = folder if isinstance(folder, Episode) else read_episode(folder)
    cleaned = clean_file(
        episode.captions,
        fmt=episode.format or settings.fmt,
        level=episode.level or settings.level,
        speakers=list(episode.speakers if episode.speakers is not None else settings.speakers),
        glossary=[*settings.glossary, *episode.glossary],
        context=episode.documents,
    )
    sentences = cleaned.sentences
    tables = {"sentences": sentences, "edits": cleaned.edits}
    if settings.align and episode.documents:
        tables["alignments"] = align_documents(sentences, episode.documents)
    if settings.align and episode.translation:
        from align.threeway import align_translation

        tables["parallel"] = align_translation(sentences, *episode.translation)
    return tables


@dataclass
class Outcome:
    """What a worker sends back for one episode: its tables, or the error that stopped it."""

    folder: str
    tables: dict[str, pl.DataFrame] = field(default_factory=dict)
    error: str | None = None
    seconds: float = 0.0


def attempt(folder: str, settings: Settings) -> Outcome:
    """Run :func:`process_episode`, turning any failure into a one-line error instead of an exception."""
    t0 = time.perf_counter()
    try:
        episode = read_episode(folder)
        tables = process_episode(episode, settings)
    except TranscriptAlignError as e:
        return Outcome(folder, error=str(e), seconds=time.perf_counter() - t0)
    except Exception as e:  # a bug on odd input must not stop the batch: report where it happened
        where = traceback.extract_tb(e.__traceback__)[-1]
        problem = f"{Path(folder).name}: internal error {type(e).__name__}: {e} (at {Path(where.filename).name}:{where.lineno})"
        return Outcome(folder, error=" ".join(problem.split()), seconds=time.perf_counter() - t0)
    return Outcome(folder, tables, seconds=time.perf_counter() - t0)


# ---------------------------------------------------------------- names and paths

_UNSAFE = regex.compile(r"[^\w.\-]+")


def safe_name(name: str) -> str:
    """A partition name that is one plain path component: letters, digits, ``_ . -``.

    A name that had to change (``../x``, ``a=b``, spaces, control characters) gets a
    short hash of the original so two different folders never share a partition.
    """
    clean = _UNSAFE.sub("_", unicodedata.normalize("NFC", name)).strip("._-")[:80]
    if clean == name and clean:
        return clean
    digest = hashlib.sha1(name.encode("utf-8", "surrogateescape")).hexdigest()[:8]
    return f"{clean or 'episode'}-{digest}"


def find_episodes(in_dir: str | Path) -> list[Path]:
    """The episode folders in ``in_dir``: its visible sub-folders, sorted by name."""
    in_dir = Path(in_dir)
    if not in_dir.is_dir():
        raise InputError(str(in_dir), "is not a folder")
    folders = sorted(p for p in in_dir.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not folders:
        raise InputError(str(in_dir), "holds no episode folders (one sub-folder per episode, each with a caption file)")
    return folders


def _within(root: Path, path: Path) -> Path:
    """``path``, after checking that it resolves inside ``root`` (no symlink leads out)."""
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        raise OutputError(f"{path}: resolves outside the output folder {root}; refusing to write there") from None
    return path


# ---------------------------------------------------------------- the output folder


class Store:
    """The output folder: writes an episode's tables atomically and knows which episodes are done."""

    def __init__(self, out_dir: str | Path, resume: bool):
        self.root = Path(out_dir)
        self.meta = self.root / BOOKKEEPING
        self.done_dir = self.meta / "done"
        self.partial = self.meta / "partial"
        if self.root.exists() and not self.root.is_dir():
            raise OutputError(f"{self.root}: is a file, expected an output folder")
        started = self.meta.is_dir()
        if self.root.exists() and any(self.root.iterdir()):
            if not started:
                raise OutputError(f"{self.root}: is not empty and holds no batch output; choose a new or empty folder")
            if not resume:
                raise OutputError(f"{self.root}: already holds a batch; rerun with --resume to continue it, or choose another folder")
        for path in (self.meta, self.done_dir, self.partial, *(self.root / t for t in TABLES)):
            if path.is_symlink():
                raise OutputError(f"{path}: is a symlink; refusing to write through it")
        self.done_dir.mkdir(parents=True, exist_ok=True)
        self._lock = _lock(self.meta / "lock", self.root)
        # Whatever was in flight when a previous run died is incomplete: start it again.
        shutil.rmtree(self.partial, ignore_errors=True)
        self.partial.mkdir()
        for stale in self.done_dir.glob(".*.tmp"):  # a marker whose atomic write was cut short
            stale.unlink()
        self._sweep()

    def close(self) -> None:
        """Let another batch write here (the lock also goes when the process dies, however it dies)."""
        self._lock.close()

    def done(self) -> dict[str, dict]:
        """Status records of the finished episodes, by partition name."""
        out = {}
        for marker in self.done_dir.glob("*.json"):
            out[marker.stem] = json.loads(marker.read_text(encoding="utf-8"))
        return out

    def _sweep(self) -> None:
        """Remove partitions that have no done marker (left by a run killed between renames)."""
        done = set(self.done())
        for table in TABLES:
            folder = self.root / table
            if not folder.is_dir():
                continue
            for part in folder.iterdir():
                name = part.name.removeprefix("episode=")
                if name not in done:
                    _remove(part)

    def write(self, name: str, tables: dict[str, pl.DataFrame], record: dict) -> None:
        """Write one episode: tables into a temporary folder, rename each into place, marker last."""
        work = self.partial / name
        _remove(work)
        work.mkdir()
        for table, frame in tables.items():
            (work / table).mkdir()
            frame.write_parquet(work / table / PART)
        for table in TABLES:
            if table not in tables and not (self.root / table).is_dir():
                continue  # no folder for a table nobody has written: scanning it would fail
            (self.root / table).mkdir(exist_ok=True)
            dest = _within(self.root, self.root / table) / f"episode={name}"
            _remove(dest)
            if table in tables:
                os.replace(work / table, dest)
        with atomic_path(self.done_dir / f"{name}.json") as tmp:
            tmp.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
        _remove(work)

    def write_status(self, records: Iterable[dict]) -> pl.DataFrame:
        status = pl.DataFrame(list(records), schema=STATUS_SCHEMA).sort("episode")
        with atomic_path(self.root / "status.parquet") as tmp:
            status.write_parquet(tmp)
        return status


def _lock(path: Path, root: Path):
    """An exclusive lock on the output folder, so two runs never write into it at once."""
    handle = open(path, "a+")
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock, as before
        return handle
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise OutputError(f"{root}: another batch is writing into this folder right now; wait for it to end") from None
    return handle


def _remove(path: Path) -> None:
    """Delete a file, a symlink (never what it points to) or a folder tree, if present."""
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)


# ---------------------------------------------------------------- executors


def _local(folders: list[str], settings: Settings, jobs: int, work=None) -> Iterator[Outcome]:
    """Episodes in this process (``jobs`` 1) or a pool of processes; a worker that dies fails only its episodes."""
    work = work or attempt
    if jobs <= 1:
        for folder in folders:
            yield work(folder, settings)
        return
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    queue = iter(folders)
    broken = True
    while broken:  # a new pool after a worker died; the episodes it had in flight are reported failed
        broken = False
        # spawn, not fork: forking a process that runs polars' thread pool can deadlock.
        with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"),
                                 **_worker_threads(jobs)) as pool:
            # A small window of episodes in flight: results are written and dropped as they come,
            # so memory does not grow with the number of episodes.
            pending = {pool.submit(work, f, settings): f for f in itertools.islice(queue, 2 * jobs)}
            while pending:
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    folder = pending.pop(future)
                    try:
                        outcome = future.result()
                    except BrokenProcessPool:
                        broken = True
                        outcome = Outcome(folder, error=f"{Path(folder).name}: the worker process died while on this "
                                                        "episode or one beside it (crash, out of memory or killed)")
                    yield outcome
                if not broken:
                    for folder in itertools.islice(queue, len(finished)):
                        pending[pool.submit(work, folder, settings)] = folder


def _worker_threads(jobs: int) -> dict:
    """Pool arguments giving each worker process its share of the cores for polars' thread pool.

    ``jobs`` workers that each start one polars thread per core make jobs x cores threads fighting
    for the cores; a worker's episode gains little from them, and the switching costs CPU. The
    setting is made before the worker first imports polars (``os.putenv`` is picklable and
    polars-free); a POLARS_MAX_THREADS the user set is left alone.
    """
    if "POLARS_MAX_THREADS" in os.environ:
        return {}
    threads = max(1, (os.cpu_count() or 1) // jobs)
    return {"initializer": os.putenv, "initargs": ("POLARS_MAX_THREADS", str(threads))}


def _dask(folders: list[str], settings: Settings, jobs: int, scheduler: str | None) -> Iterator[Outcome]:
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise TranscriptAlignError(
            "--executor dask needs Dask, an optional extra: pip install 'transcript-align[dask]'"
        ) from None
    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=max(jobs, 1), threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=40)
        client = Client(cluster)
    try:
        # Workers read the episode folders themselves: on a remote cluster IN_DIR must be on a shared path.
        window = 2 * max(jobs, len(client.scheduler_info().get("workers", {})))
        queue = iter(folders)
        running = as_completed([client.submit(attempt, f, settings, pure=False) for f in itertools.islice(queue, window)])
        for future in running:
            yield future.result()
            future.release()
            for folder in itertools.islice(queue, 1):
                running.add(client.submit(attempt, folder, settings, pure=False))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


# ---------------------------------------------------------------- the batch


@dataclass
class Report:
    status: pl.DataFrame  # every episode of the output folder (this run and earlier ones)
    ran: int  # episodes processed by this run
    skipped: int  # episodes already done by an earlier run (--resume)
    seconds: float

    @property
    def failed(self) -> pl.DataFrame:
        return self.status.filter(pl.col("status") == "failed")

    def summary(self) -> str:
        ok = self.status.filter(pl.col("status") == "ok")
        rate = self.ran / self.seconds if self.seconds > 0 else 0.0
        lines = [
            f"{self.status.height} episodes: {ok.height} ok, {self.failed.height} failed"
            + (f", {self.skipped} already done" if self.skipped else ""),
            f"{int(ok['sentences'].sum() or 0)} sentences, {int(ok['edits'].sum() or 0)} edits"
            + (f", {int(ok['alignments'].sum())} aligned units" if ok["alignments"].drop_nulls().len() else ""),
            f"{self.ran} processed in {self.seconds:.1f} s ({rate:.2f} episodes/s)" if self.ran else "nothing left to do",
        ]
        lines += [f"failed: {r['folder']}: {r['error']}" for r in self.failed.iter_rows(named=True)]
        return "\n".join(lines)


def run_batch(
    in_dir: str | Path,
    out_dir: str | Path,
    settings: Settings = Settings(),
    *,
    jobs: int = 1,
    resume: bool = False,
    executor: str = "local",
    scheduler: str | None = None,
    on_episode: Callable[[dict], None] | None = None,
    on_start: Callable[[int], None] | None = None,
) -> Report:
    """Process every episode folder in ``in_dir`` into the dataset at ``out_dir``.

    ``on_start(n)`` is told how many episodes will run; ``on_episode(record)``
    gets each episode's status record as soon as its output is safely written.
    A failing episode is recorded and the others go on.
    """
    in_dir, out_dir = Path(in_dir), Path(out_dir)
    if executor not in EXECUTORS:
        raise TranscriptAlignError(f"unknown executor {executor!r}; choose one of {', '.join(EXECUTORS)}")
    if scheduler and executor != "dask":
        raise TranscriptAlignError("--scheduler is only for --executor dask")
    folders = find_episodes(in_dir)
    try:
        out_dir.resolve().relative_to(in_dir.resolve())
        raise OutputError(f"{out_dir}: is inside the input folder {in_dir}; choose an output folder outside it")
    except ValueError:
        pass
    names = {safe_name(folder.name): folder for folder in folders}
    folded: dict[str, Path] = {}
    for name, folder in names.items():  # one partition folder each, even on a case-insensitive file system
        if name.casefold() in folded:
            raise InputError(str(in_dir), f"episode folders {folded[name.casefold()].name!r} and {folder.name!r} "
                                          "differ only in case; rename one")
        folded[name.casefold()] = folder
    store = Store(out_dir, resume)
    try:
        finished = store.done()  # every episode already in the dataset, even if its folder has gone since
        todo = {str(folder): name for name, folder in names.items() if name not in finished}
        if on_start:
            on_start(len(todo))
        records = dict(finished)
        t0 = time.perf_counter()
        for outcome in _outcomes(list(todo), settings, jobs, executor, scheduler):
            name = todo[outcome.folder]
            record = {
                "episode": name,
                "folder": Path(outcome.folder).name,
                "status": "failed" if outcome.error else "ok",
                "error": outcome.error,
                "seconds": round(outcome.seconds, 4),
                **{t: (outcome.tables[t].height if t in outcome.tables else None) for t in TABLES},
            }
            # A failure leaves no trace in the dataset and no marker: --resume tries it again.
            if not outcome.error:
                try:
                    store.write(name, outcome.tables, record)
                except OSError as e:  # disk full, permissions: no later episode would fare better
                    raise OutputError(f"{store.root}: cannot write episode {name} ({e.strerror or e})") from None
            records[name] = record
            if on_episode:
                on_episode(record)
        took = time.perf_counter() - t0
        status = store.write_status(records.values())
    finally:
        store.close()
    return Report(status, ran=len(todo), skipped=len(names) - len(todo), seconds=took)


def _outcomes(folders: list[str], settings: Settings, jobs: int, executor: str, scheduler: str | None) -> Iterator[Outcome]:
    if not folders:
        return iter(())
    if executor == "local":
        return _local(folders, settings, min(jobs, len(folders)))  # one episode: no pool to start
    return _dask(folders, settings, jobs, scheduler)


def read_table(out_dir: str | Path, table: str) -> pl.LazyFrame:
    """One table of a batch output across all episodes, with an ``episode`` column."""
    if table not in TABLES:
        raise TranscriptAlignError(f"unknown table {table!r}; choose one of {', '.join(TABLES)}")
    # Episode names such as "001" must stay strings, not become integers.
    return pl.scan_parquet(Path(out_dir) / table / "*" / "*.parquet", hive_partitioning=True,
                           hive_schema={"episode": pl.String}, try_parse_hive_dates=False)

