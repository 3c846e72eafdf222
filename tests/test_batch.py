"""`transcript-align batch`: a folder of episodes into one Parquet corpus, safely and resumably."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from align.batch import Settings, process_episode, read_table, run_batch, safe_name
from align.cli import main
from align.episode import read_episode
from cleaners.errors import InputError, OutputError

from conftest import FIXTURES, ROOT

BATCH = FIXTURES / "batch"
EPISODES = sorted(p.name for p in BATCH.iterdir() if p.is_dir())
SPEAKERS = "Dwarkesh Patel,Dario Amodei"


def copy_batch(dest: Path, copies: int = 1) -> Path:
    """The fixture episodes in a fresh folder, ``copies`` times each under new names."""
    dest.mkdir(parents=True, exist_ok=True)
    for n in range(copies):
        for name in EPISODES:
            shutil.copytree(BATCH / name, dest / (name if copies == 1 else f"{name}-{n:02d}"))
    return dest


def dataset(out: Path) -> dict[str, pl.DataFrame]:
    """Every table of a batch output, in a stable order, without run-dependent columns."""
    keys = {"sentences": "id", "edits": "i"}
    tables = {t: read_table(out, t).collect().sort("episode", key) for t, key in keys.items()}
    tables["status"] = pl.read_parquet(out / "status.parquet").drop("seconds").sort("episode")
    return tables


def assert_same_dataset(a: Path, b: Path) -> None:
    left, right = dataset(a), dataset(b)
    assert left.keys() == right.keys()
    for name in left:
        assert left[name].equals(right[name]), name


# ---------------------------------------------------------------- finding an episode's files


def test_caption_file_and_documents_are_found_by_sniffing():
    episode = read_episode(BATCH / "context-length")
    assert episode.captions.name == "002_captions.txt"
    assert [d.name for d in episode.documents] == ["segments.txt"]
    assert episode.speakers is None and episode.level is None


def test_episode_toml_names_what_sniffing_cannot():
    episode = read_episode(BATCH / "timed-lines")
    assert episode.captions.name == "transcript.md"  # a .md file would otherwise count as a document
    assert episode.documents == [] and episode.level == "clean"
    assert episode.speakers == ["Dwarkesh Patel", "Dario Amodei"]
    opening = read_episode(BATCH / "opening")
    assert [d.name for d in opening.documents] == ["summary.txt", "episode-page.txt"]
    assert opening.languages == {"summary.txt": "en", "episode-page.txt": "en"}


@pytest.mark.parametrize(
    "manifest, problem",
    [
        pytest.param('captions = "../../etc/passwd"', "outside the episode folder", id="parent-path"),
        pytest.param('captions = "/etc/hostname"', "outside the episode folder", id="absolute-path"),
        pytest.param('documents = ["missing.txt"]', "is not a file", id="missing-document"),
        pytest.param('speakers = "Host"\nlevle = "clean"', "unknown key(s) levle", id="misspelt-key"),
        pytest.param('captions = [', "is not valid TOML", id="bad-toml"),
        pytest.param('level = "spotless"', "level 'spotless' is not one of light, standard, clean", id="bad-level"),
    ],
)
def test_bad_episode_toml_is_a_one_line_error_naming_it(tmp_path, manifest, problem):
    folder = copy_batch(tmp_path / "in") / "context-length"
    (folder / "episode.toml").write_text(manifest, encoding="utf-8")
    with pytest.raises(InputError, match=problem.replace("(", r"\(").replace(")", r"\)")) as err:
        read_episode(folder)
    assert "episode.toml" in str(err.value) and "\n" not in str(err.value)


def test_symlinked_caption_leading_out_of_the_episode_is_refused(tmp_path):
    folder = copy_batch(tmp_path / "in") / "context-length"
    (folder / "linked.srt").symlink_to(BATCH / "opening" / "captions.txt")
    (folder / "episode.toml").write_text('captions = "linked.srt"', encoding="utf-8")
    with pytest.raises(InputError, match="outside the episode folder"):
        read_episode(folder)


def test_two_caption_files_and_no_manifest_asks_which(tmp_path):
    folder = copy_batch(tmp_path / "in") / "context-length"
    shutil.copy(BATCH / "opening" / "captions.txt", folder / "other.txt")
    with pytest.raises(InputError, match="several caption files .*name the one to clean in episode.toml"):
        read_episode(folder)


def test_process_episode_is_pure_and_returns_the_tables(tmp_path):
    folder = copy_batch(tmp_path / "in") / "opening"
    before = sorted((p.name, p.stat().st_mtime_ns) for p in folder.iterdir())
    tables = process_episode(folder, Settings())
    assert tables["sentences"]["text"][0].startswith("We talked three years ago")
    assert set(tables["sentences"]["speaker"].unique()) <= {"Dwarkesh Patel", "Dario Amodei"}
    assert "Um" in tables["edits"]["raw"].to_list()  # the raw "Um" is logged as an edit ...
    assert "Um" not in " ".join(tables["sentences"]["text"]).replace(",", "").split()  # ... and gone from the text
    assert sorted((p.name, p.stat().st_mtime_ns) for p in folder.iterdir()) == before


# ---------------------------------------------------------------- the batch


def test_batch_writes_a_dataset_polars_reads_as_one_table(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["batch", str(BATCH), "-o", str(out), "-j", "1"])
    assert result.exit_code == 0, result.output
    sentences = pl.scan_parquet(out / "sentences", hive_partitioning=True).collect()
    assert sorted(sentences["episode"].unique().to_list()) == EPISODES
    first = sentences.filter(pl.col("episode") == "opening").sort("id")
    assert first["text"][0].startswith("We talked three years ago")
    assert (out / "edits" / "episode=opening" / "part-0.parquet").is_file()
    status = pl.read_parquet(out / "status.parquet")
    assert status["status"].to_list() == ["ok"] * len(EPISODES)
    assert status.filter(pl.col("episode") == "opening")["sentences"][0] == first.height
    assert "3 episodes: 3 ok, 0 failed" in result.output


def test_documents_are_aligned_into_one_alignments_table(tmp_path):
    report = run_batch(BATCH, tmp_path / "out")
    counts = dict(zip(report.status["episode"], report.status["alignments"]))
    assert counts["opening"] > 0 and counts["timed-lines"] is None  # it has no documents
    units = read_table(tmp_path / "out", "alignments").filter(pl.col("episode") == "opening").collect()
    assert units.height == counts["opening"] and set(units["status"]) <= {"supported", "unsupported"}
    quote = units.filter(pl.col("text").str.starts_with("The exponential of the underlying technology"))
    assert quote["status"].to_list() == ["supported"] and quote["start"][0] < 20  # said in the first 20 s


def test_logs_get_plain_progress_lines_not_a_bar(tmp_path):
    result = CliRunner().invoke(main, ["batch", str(BATCH), "-o", str(tmp_path / "out"), "-j", "1"])
    assert "batch: 3/3 episodes done (0 failed)" in result.output
    assert "\r" not in result.output


def test_episode_names_like_numbers_stay_strings(tmp_path):
    src = tmp_path / "in"
    shutil.copytree(BATCH / "opening", src / "001")
    shutil.copytree(BATCH / "context-length", src / "2024-01-05")
    run_batch(src, tmp_path / "out")
    episodes = read_table(tmp_path / "out", "sentences").select("episode").unique().collect()
    assert sorted(episodes["episode"].to_list()) == ["001", "2024-01-05"]


def test_a_failing_episode_is_reported_and_the_rest_finish(tmp_path):
    src = copy_batch(tmp_path / "in")
    (src / "broken").mkdir()
    (src / "broken" / "captions.srt").write_bytes(bytes(range(256)) * 8)
    (src / "empty").mkdir()
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["batch", str(src), "-o", str(out), "-j", "1"])
    assert result.exit_code == 1
    status = pl.read_parquet(out / "status.parquet")
    failed = status.filter(pl.col("status") == "failed")
    errors = dict(zip(failed["episode"], failed["error"]))
    assert set(errors) == {"broken", "empty"}
    assert "captions.srt: looks like binary data" in errors["broken"]
    assert "no caption file found" in errors["empty"]
    assert sorted(read_table(out, "sentences").collect()["episode"].unique()) == EPISODES
    assert "5 episodes: 3 ok, 2 failed" in result.output and "failed: broken:" in result.output


def test_resume_skips_finished_episodes_and_retries_failed_ones(tmp_path):
    src = copy_batch(tmp_path / "in")
    (src / "broken").mkdir()
    (src / "broken" / "captions.srt").write_bytes(b"\x00\x01" * 100)
    out = tmp_path / "out"
    first = run_batch(src, out)
    assert first.failed.height == 1
    stamp = (out / "sentences" / "episode=opening" / "part-0.parquet").stat().st_mtime_ns
    shutil.copy(BATCH / "opening" / "captions.txt", src / "broken" / "captions.srt")  # the user fixes it
    again = run_batch(src, out, resume=True)
    assert (again.ran, again.skipped) == (1, 3)
    assert again.failed.height == 0 and again.status.height == 4
    assert (out / "sentences" / "episode=opening" / "part-0.parquet").stat().st_mtime_ns == stamp


def test_an_existing_batch_is_not_overwritten_without_resume(tmp_path):
    out = tmp_path / "out"
    run_batch(BATCH, out)
    result = CliRunner().invoke(main, ["batch", str(BATCH), "-o", str(out)])
    assert result.exit_code == 2 and "already holds a batch; rerun with --resume" in result.output
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    result = CliRunner().invoke(main, ["batch", str(BATCH), "-o", str(tmp_path / "other"), "--resume"])
    assert result.exit_code == 2 and "holds no batch output" in result.output
    assert (tmp_path / "other" / "notes.txt").read_text() == "mine"


def test_output_inside_the_input_folder_is_refused(tmp_path):
    src = copy_batch(tmp_path / "in")
    result = CliRunner().invoke(main, ["batch", str(src), "-o", str(src / "out")])
    assert result.exit_code == 2 and "inside the input folder" in result.output
    assert not (src / "out").exists()


def test_resume_cleans_what_a_killed_run_left_half_done(tmp_path):
    src = copy_batch(tmp_path / "in")
    out = tmp_path / "out"
    clean = tmp_path / "clean"
    run_batch(src, clean)
    run_batch(src, out)
    # As if killed: one episode renamed into place but not marked done, another in flight.
    (out / ".batch" / "done" / "opening.json").unlink()
    (out / "sentences" / "episode=opening" / "part-0.parquet").write_bytes(b"half a file")
    (out / ".batch" / "partial" / "timed-lines" / "sentences").mkdir(parents=True)
    (out / ".batch" / "done" / ".timed-lines.json.x1y2.tmp").write_text("{")
    report = run_batch(src, out, resume=True)
    assert (report.ran, report.skipped) == (1, 2)
    assert list((out / ".batch" / "partial").iterdir()) == []
    assert sorted(p.name for p in (out / ".batch" / "done").iterdir()) == [f"{e}.json" for e in EPISODES]
    assert_same_dataset(out, clean)


def test_killed_batch_resumed_gives_the_same_dataset(tmp_path):
    src = copy_batch(tmp_path / "in", copies=20)
    total = 3 * 20
    whole = tmp_path / "whole"
    run_batch(src, whole)

    out = tmp_path / "out"
    command = [sys.executable, "-m", "align", "batch", str(src), "-o", str(out), "-j", "1"]
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    done = out / ".batch" / "done"
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        if done.is_dir() and any(p.suffix == ".json" for p in done.iterdir()):
            break
        time.sleep(0.002)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    finished = sum(1 for p in done.iterdir() if p.suffix == ".json")
    assert 1 <= finished < total, "the batch should have been killed part-way"
    assert not (out / "status.parquet").exists()

    resumed = subprocess.run([*command, "--resume"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{total} episodes: {total} ok, 0 failed, {finished} already done" in resumed.stdout
    assert_same_dataset(out, whole)
    assert len(list(done.glob("*.json"))) == total and list((out / ".batch" / "partial").iterdir()) == []


def test_process_pool_gives_the_same_dataset(tmp_path):
    run_batch(BATCH, tmp_path / "one")
    run_batch(BATCH, tmp_path / "two", jobs=2)
    assert_same_dataset(tmp_path / "one", tmp_path / "two")


# ---------------------------------------------------------------- names never escape the output folder


@pytest.mark.parametrize(
    "name, expected",
    [
        pytest.param("opening", "opening", id="plain-kept"),
        pytest.param("épisode-中文_01", "épisode-中文_01", id="unicode-letters-kept"),
        pytest.param("..", "episode-", id="dot-dot"),
        pytest.param("../../etc", "etc-", id="parent-path"),
        pytest.param("/etc/passwd", "etc_passwd-", id="absolute"),
        pytest.param("a=b", "a_b-", id="hive-equals"),
        pytest.param("ep 1 (copy)", "ep_1_copy-", id="spaces-brackets"),
        pytest.param("new\nline\x07", "new_line-", id="control-chars"),
        pytest.param(".hidden", "hidden-", id="leading-dot"),
    ],
)
def test_safe_names_are_one_plain_path_component(name, expected):
    safe = safe_name(name)
    assert safe.startswith(expected) and (safe == expected or len(safe) == len(expected) + 8)
    assert "/" not in safe and "\\" not in safe and "=" not in safe and safe not in (".", "..")
    assert not safe.startswith(".")


def test_different_unsafe_names_never_share_a_partition():
    assert safe_name("a b") != safe_name("a_b") != safe_name("a:b")
    assert safe_name("a b") != safe_name("a:b")


def test_odd_folder_names_stay_inside_the_output_folder(tmp_path):
    src = tmp_path / "in"
    for odd in ("a..b", "ep=1 (copy)", "new\nline", "中文 节目", "..."):
        shutil.copytree(BATCH / "context-length", src / odd)
    out = tmp_path / "out"
    report = run_batch(src, out)
    assert report.failed.height == 0
    written = {p.resolve() for p in out.rglob("*") if p.is_file()}
    assert all(out.resolve() in p.parents for p in written)
    parts = sorted(p.name for p in (out / "sentences").iterdir())
    assert len(parts) == 4 and all(p.startswith("episode=") and p.count("=") == 1 for p in parts)
    # Hidden folders ("...", ".git") are not episodes.
    assert sorted(report.status["folder"]) == sorted(("a..b", "ep=1 (copy)", "new\nline", "中文 节目"))
    assert read_table(out, "sentences").collect()["episode"].n_unique() == 4


def test_a_symlink_planted_in_the_output_is_replaced_not_written_through(tmp_path):
    src = copy_batch(tmp_path / "in")
    out = tmp_path / "out"
    run_batch(src, out)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("precious")
    (out / ".batch" / "done" / "opening.json").unlink()
    shutil.rmtree(out / "sentences" / "episode=opening")
    (out / "sentences" / "episode=opening").symlink_to(outside, target_is_directory=True)
    run_batch(src, out, resume=True)
    assert sorted(p.name for p in outside.iterdir()) == ["keep.txt"]
    assert not (out / "sentences" / "episode=opening").is_symlink()


def test_a_symlinked_table_folder_is_refused(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    out = tmp_path / "out"
    run_batch(BATCH, out)
    shutil.rmtree(out / "edits")
    (out / "edits").symlink_to(outside, target_is_directory=True)
    with pytest.raises(OutputError, match="is a symlink; refusing to write through it"):
        run_batch(BATCH, out, resume=True)
    assert list(outside.iterdir()) == []


def test_an_episode_folder_that_is_a_symlink_is_named_by_the_link(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "linked").symlink_to(BATCH / "opening", target_is_directory=True)
    report = run_batch(src, tmp_path / "out")
    assert report.status["episode"].to_list() == ["linked"]
    assert (tmp_path / "out" / "sentences" / "episode=linked" / "part-0.parquet").is_file()


# ---------------------------------------------------------------- Dask


def test_dask_local_cluster_gives_the_same_dataset(tmp_path):
    pytest.importorskip("distributed", reason="the optional 'dask' extra is not installed")
    run_batch(BATCH, tmp_path / "local")
    report = run_batch(BATCH, tmp_path / "dask", executor="dask", jobs=2)
    assert report.failed.height == 0
    assert_same_dataset(tmp_path / "local", tmp_path / "dask")


def test_dask_scheduler_address_is_used(tmp_path):
    distributed = pytest.importorskip("distributed", reason="the optional 'dask' extra is not installed")
    src = copy_batch(tmp_path / "in")
    (src / "broken").mkdir()
    (src / "broken" / "captions.vtt").write_bytes(b"\x00" * 64)
    with distributed.LocalCluster(n_workers=1, processes=False, dashboard_address=None) as cluster:
        report = run_batch(src, tmp_path / "out", executor="dask", scheduler=cluster.scheduler_address)
    assert sorted(report.status.filter(pl.col("status") == "ok")["episode"]) == EPISODES
    assert "captions.vtt" in report.failed["error"][0]


def test_dask_missing_is_a_clear_message(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if the extra were not installed
    result = CliRunner().invoke(main, ["batch", str(BATCH), "-o", str(tmp_path / "out"), "--executor", "dask"])
    assert result.exit_code == 2
    assert "needs Dask, an optional extra: pip install 'transcript-align[dask]'" in result.output


def test_two_runs_never_write_into_the_same_folder_at_once(tmp_path):
    from align.batch import Store

    out = tmp_path / "out"
    first = Store(out, resume=False)
    try:
        with pytest.raises(OutputError, match="another batch is writing into this folder"):
            run_batch(BATCH, out, resume=True)
    finally:
        first.close()
    assert run_batch(BATCH, out, resume=True).failed.height == 0


def die_on_crash_folder(folder: str, settings):
    """A worker that dies (as a segfault or the OOM killer would) on the episode named "crash"."""
    from align.batch import attempt

    if Path(folder).name == "crash":
        os._exit(1)
    return attempt(folder, settings)


def test_a_worker_that_dies_fails_its_episode_and_the_rest_finish(tmp_path):
    from align.batch import _local

    src = copy_batch(tmp_path / "in", copies=3)
    shutil.copytree(BATCH / "opening", src / "crash")
    folders = sorted(str(p) for p in src.iterdir())
    outcomes = list(_local(folders, Settings(), jobs=2, work=die_on_crash_folder))
    assert sorted(o.folder for o in outcomes) == folders  # every episode reported exactly once
    failed = {Path(o.folder).name for o in outcomes if o.error}
    assert "crash" in failed and len(failed) <= 4  # the crash and at most the others in flight with it
    assert all("worker process died" in o.error for o in outcomes if o.error)
    assert sum(1 for o in outcomes if not o.error) >= len(folders) - 4


def test_folders_differing_only_in_case_are_refused_before_anything_is_written(tmp_path):
    src = tmp_path / "in"
    shutil.copytree(BATCH / "opening", src / "Episode")
    shutil.copytree(BATCH / "opening", src / "episode")
    result = CliRunner().invoke(main, ["batch", str(src), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2 and "differ only in case; rename one" in result.output
    assert not (tmp_path / "out").exists()


def test_duckdb_reads_the_dataset_as_one_table(tmp_path):
    duckdb = pytest.importorskip("duckdb", reason="DuckDB is not a dependency; install it to run this check")
    run_batch(BATCH, tmp_path / "out")
    query = (f"select episode, count(*) from read_parquet('{tmp_path}/out/sentences/*/*.parquet', "
             "hive_partitioning = true) group by episode order by episode")
    rows = duckdb.sql(query).fetchall()
    assert [r[0] for r in rows] == EPISODES and all(r[1] > 0 for r in rows)
