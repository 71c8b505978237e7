"""The ``dedup`` command line: a thin layer over the library.

Options are parsed here, the library does the work, and library errors
(:class:`~dedup.errors.DedupError`) become one-line messages.

Exit codes: 0 success, 1 an error (bad input, unwritable output), 2 a usage error
(unknown option, a number out of range), 130 interrupted (Ctrl-C), 143 terminated
(SIGTERM). An interrupted or failed run leaves no output file and no temporary file.
"""

from __future__ import annotations

import functools
import math
import os
import shutil
import signal
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import click

from . import __version__
from .corpus import read_corpus
from .engine import ENGINES, open_engine
from .errors import DedupError
from .output import printable, visible, write_output
from .pipeline import FindParams, find
from .signatures import MinHashParams
from .tokens import default_workers

EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT
EXIT_TERMINATED = 143  # 128 + SIGTERM


class Terminated(BaseException):
    """SIGTERM, raised in the main thread like ``KeyboardInterrupt`` so that every
    ``finally`` and cleanup runs (temporary files removed, worker pools ended)."""


def _on_sigterm(signum: int, frame: Any) -> None:
    raise Terminated()


class DedupGroup(click.Group):
    """The command group: Ctrl-C exits 130 and SIGTERM 143, each with one line on
    stderr and no traceback (click's own handling would print "Aborted!", exit 1)."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        installed = threading.current_thread() is threading.main_thread()
        old = signal.signal(signal.SIGTERM, _on_sigterm) if installed else None
        try:
            return super().main(*args, **kwargs)
        finally:
            if installed:
                signal.signal(signal.SIGTERM, old)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            click.echo("dedup: interrupted", err=True)
            raise click.exceptions.Exit(EXIT_INTERRUPTED) from None
        except Terminated:
            click.echo("dedup: terminated", err=True)
            raise click.exceptions.Exit(EXIT_TERMINATED) from None


class FiniteFloat(click.FloatRange):
    """A float in a range, and finite: ``nan``, ``inf`` and values that overflow to
    them are usage errors (exit 2), never a traceback or a NaN in the JSON."""

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Any:
        rv = super().convert(value, param, ctx)
        if not math.isfinite(rv):
            self.fail(f"{value!r} is not a finite number.", param, ctx)
        return rv


class Progress:
    """Progress on stderr when it is a terminal; silent when piped or ``--quiet``."""

    def __init__(self, enabled: bool | None = None, stream: Any = None):
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self._last = 0.0
        self._shown = False

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if done < total and now - self._last < 0.1:
            return
        self._last = now
        pct = 100.0 * done / total if total else 100.0
        self.stream.write(f"\r{stage:>10} {done:>9}/{total:<9} {pct:5.1f}%")
        self.stream.flush()
        self._shown = True

    def close(self) -> None:
        if self._shown:
            self.stream.write("\r" + " " * 40 + "\r")
            self.stream.flush()


def warn(message: str) -> None:
    """One ``warning:`` line; control characters in it (a file name holding an escape
    sequence or a newline) are shown as escapes, so it cannot drive the terminal or
    forge a second line."""
    click.echo(f"warning: {visible(message)}", err=True)


def echo(text: str, *, nl: bool = True, color: bool | None = None) -> None:
    """Print to stdout; a lone surrogate (from a file name that is not UTF-8) is
    printed as U+FFFD instead of failing."""
    click.echo(printable(text), nl=nl, color=color)


def terminal_width(width: int | None = None) -> int:
    """``width`` if given, else the terminal's (``$COLUMNS`` first; 80 when piped)."""
    return width or shutil.get_terminal_size((80, 24)).columns


def library_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn library errors into one-line click errors (exit 1), never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except DedupError as e:
            raise click.ClickException(visible(str(e))) from None
        except MemoryError:
            raise click.ClickException("out of memory; try a smaller corpus or fewer "
                                       "permutations (--num-perm)") from None
        except BrokenPipeError:
            # the reader went away (`dedup find ... | head`): stop quietly, and keep
            # Python from failing again when it flushes stdout at exit
            try:
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            except (OSError, ValueError):
                pass
            sys.exit(0)

    return wrapper


workers_option = click.option(
    "--workers", type=click.IntRange(min=1), default=None,
    help="Processes that tokenise a large corpus and align related documents, and "
         "threads for the array work between (feature build, MinHash, LSH bands, "
         "verification, relations) (default: every CPU available, at most 4 threads). "
         "More than the CPUs available is capped at that number, with a warning (the "
         "library's find(workers=N) is not capped). The result is the same whatever the "
         "number.")


def engine_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``--engine`` and ``--scheduler``: where find's heavy steps run."""
    fn = click.option(
        "--scheduler", metavar="ADDRESS",
        help="Run on the Dask cluster whose scheduler is at ADDRESS (tcp://host:port); "
             "implies --engine dask.")(fn)
    return click.option(
        "--engine", type=click.Choice(ENGINES), default=None,
        help="Where the heavy steps run: 'local' (default: this machine) or 'dask' (a "
             "Dask cluster: local, of --workers processes, or the one at --scheduler; "
             "pip install 'dedup[dask]'). The result is the same on either.")(fn)


def open_engine_from(opts: dict[str, Any], workers: int | None):
    """The engine ``--engine``/``--scheduler`` ask for (taken out of ``opts``)."""
    engine, scheduler = opts.pop("engine"), opts.pop("scheduler")
    return open_engine(engine or ("dask" if scheduler else "local"), scheduler=scheduler,
                       workers=workers)


def cap_workers(workers: int | None) -> int | None:
    """``--workers``, at most the CPUs this process may use (with a warning)."""
    if workers is None:
        return None
    cpus = default_workers()
    if workers > cpus:
        warn(f"--workers {workers} capped at the {cpus} CPU{'s' if cpus != 1 else ''} "
             "available")
        return cpus
    return workers


def corpus_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Options every command that reads a corpus shares."""
    decorators = [
        click.option("--id-field", default="id", show_default=True,
                     help="JSONL/CSV/Parquet field holding the document id."),
        click.option("--text-field", default="text", show_default=True,
                     help="JSONL/CSV/Parquet field holding the text."),
        click.option("--outlet-field", default="outlet", show_default=True,
                     help="JSONL/CSV/Parquet field holding the outlet (default: the id)."),
        click.option("--date-field", default="date", show_default=True,
                     help="JSONL/CSV/Parquet field holding the date."),
        click.option("--title-field", default="title", show_default=True,
                     help="JSONL/CSV/Parquet field holding the title."),
        click.option("--skip-invalid", is_flag=True,
                     help="Skip malformed JSONL/CSV records and duplicate ids with a "
                          "warning instead of stopping."),
        click.option("--max-doc-mb", type=FiniteFloat(min=0.001, max=100_000), default=10.0,
                     show_default=True,
                     help="Skip (with a warning) documents larger than this many MB."),
    ]
    for d in reversed(decorators):
        fn = d(fn)
    return fn


def load_corpus(paths: tuple[str, ...], opts: dict[str, Any]):
    corpus = read_corpus(
        list(paths), id_field=opts["id_field"], text_field=opts["text_field"],
        outlet_field=opts["outlet_field"], date_field=opts["date_field"],
        title_field=opts["title_field"], skip_invalid=opts["skip_invalid"],
        max_doc_bytes=int(opts["max_doc_mb"] * 1_000_000))
    for message in corpus.warnings:
        warn(message)
    for s in corpus.skipped:
        warn(f"skipped {s.path}: {s.reason}")
    if corpus.skipped:
        warn(f"{len(corpus.skipped)} input(s) skipped, {len(corpus.documents)} documents read")
    return corpus


@click.group(cls=DedupGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dedup")
def main() -> None:
    """Find shared wire copy in a news corpus and show how each outlet reworded it.

    Exit codes: 0 success, 1 error, 2 usage error, 130 interrupted (Ctrl-C),
    143 terminated (SIGTERM).
    """


@main.command("find")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--json", "json_out", metavar="FILE",
              help="Write the full result as JSON to FILE ('-' for stdout).")
@click.option("--out-parquet", metavar="DIR",
              help="Write the result as Parquet tables into folder DIR (documents, "
                   "clusters, relations, ...; needs pip install 'dedup[parquet]').")
@click.option("--threshold", type=FiniteFloat(0, 1), default=FindParams.threshold,
              show_default=True, help="Verified score two outlets' passages need to match.")
@click.option("--min-evidence", type=FiniteFloat(min=0, max=1_000_000),
              default=FindParams.min_evidence,
              show_default=True,
              help="Shared distinctive weight a match needs (in units of one rare word).")
@click.option("--rare-channel", type=click.Choice(["join", "lsh"]),
              default=FindParams.rare_channel, show_default=True,
              help="How passages sharing distinctive wording are found: 'join', every pair "
                   "sharing a rare n-gram, exactly (an inverted index); 'lsh', MinHash "
                   "bands over the rare n-grams (approximate, tuned by --lsh-threshold).")
@click.option("--lsh-threshold", type=FiniteFloat(0.01, 1), default=FindParams.lsh_threshold,
              show_default=True,
              help="With --rare-channel lsh: the Jaccard similarity of rare n-grams its "
                   "bands are tuned to catch (recall 95%).")
@click.option("--min-words", type=click.IntRange(min=1), default=FindParams.min_words,
              show_default=True, help="Shorter passages match only as exact repeats.")
@click.option("--num-perm", type=click.IntRange(1, 1024), default=128, show_default=True,
              help="MinHash permutations of the near-duplicate channel. The "
                   "distinctive-wording channel always keeps 128, so on a small corpus "
                   "this may change nothing.")
@click.option("--seed", type=click.IntRange(0, 2**32 - 1), default=1, show_default=True,
              help="MinHash seed (same seed, same input: identical output).")
@click.option("--match", type=click.Choice(["shared", "paraphrase"]), default=FindParams.match,
              show_default=True,
              help="What two outlets' sentences must have to match: 'shared' material "
                   "(words in common, however reworded), or 'paraphrase': the same "
                   "meaning, judged by a verifier fitted on MSRP (stricter; it rejects a "
                   "wire sentence that an outlet extended with a clause of its own).")
@click.option("--prior", type=click.Choice(["wordfreq", "none"]), default=FindParams.prior,
              show_default=True,
              help="General-language word frequencies blended into word rarity; 'none' "
                   "weighs words by the corpus's own counts alone.")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True,
              help="Clusters shown in the terminal table.")
@click.option("-q", "--quiet", is_flag=True, help="No progress, no table (errors only).")
@workers_option
@engine_options
@corpus_options
@library_errors
def find_cmd(paths: tuple[str, ...], json_out: str | None, out_parquet: str | None,
             threshold: float,
             min_evidence: float, rare_channel: str, lsh_threshold: float, min_words: int,
             num_perm: int,
             seed: int, match: str, prior: str, limit: int, quiet: bool,
             workers: int | None,
             **opts: Any) -> None:
    """Find the material that documents in PATHS share, and which derives from which.

    PATHS are folders of .txt files (searched recursively), .txt files, JSON Lines
    (.jsonl), CSV/TSV or Parquet files with id and text fields, quoted glob patterns
    ('shards/*.parquet'), or - for JSON Lines on standard input. Prints the clusters
    of shared material (one per piece of material, with every document's version)
    and the derived documents; --json writes every cluster and relation with
    character offsets into the original texts, --out-parquet the same as tables.
    """
    from .report.jsonout import dumps, result_to_dict
    from .report.terminal import find_summary

    workers = cap_workers(workers)
    if out_parquet is not None:
        from .report.parquet import check_target

        check_target(out_parquet)  # before a long run, not after it
    corpus = load_corpus(paths, opts)
    params = FindParams(minhash=MinHashParams(num_perm=num_perm, seed=seed),
                        threshold=threshold,
                        min_evidence=min_evidence, rare_channel=rare_channel,
                        lsh_threshold=lsh_threshold, min_words=min_words, match=match,
                        prior=prior)
    progress = Progress(enabled=False if quiet else None)
    try:
        with open_engine_from(opts, workers) as engine:
            result = find(corpus, params, progress=progress, workers=workers, engine=engine)
    finally:
        progress.close()
    if json_out:
        text = dumps(result_to_dict(result))
        if json_out == "-":
            echo(text, nl=False)
        else:
            write_output(json_out, text)
    if out_parquet is not None:
        from .report.parquet import write_parquet

        write_parquet(result, out_parquet)
    if not quiet and json_out != "-":
        echo(find_summary(result, limit=limit, width=terminal_width()))


def _read_text_file(path: str) -> str:
    """One text file, through the corpus reader so bad input gets the same messages."""
    from .corpus import read_corpus

    corpus = read_corpus([path])
    if corpus.skipped:
        raise DedupError(f"{corpus.skipped[0].path}: {corpus.skipped[0].reason}")
    if len(corpus.documents) != 1:
        raise DedupError(f"{path}: expected one document, found {len(corpus.documents)} "
                         "(use --corpus to pick documents by id)")
    return corpus.documents[0].text


def _pick(corpus_docs: dict[str, Any], doc_id: str, corpus_paths: tuple[str, ...]) -> str:
    doc = corpus_docs.get(doc_id)
    if doc is None:
        raise DedupError(f"no document with id {doc_id!r} in {', '.join(corpus_paths)}")
    return str(doc.text)


def _emit(text: str, output: str | None, *, color: bool | None = None) -> None:
    """``text`` to FILE, or to stdout for None or '-' (ANSI colour kept if ``color``)."""
    if output and output != "-":
        write_output(output, text)
    else:
        echo(text, nl=not text.endswith("\n"), color=color)


def _print_legend(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    from .diffview import MARKER_LEGEND

    echo(MARKER_LEGEND, nl=False)
    ctx.exit(0)


@main.command("diff")
@click.argument("a")
@click.argument("b")
@click.option("--corpus", "corpus_paths", multiple=True, type=click.Path(),
              help="Read A and B as document ids from this corpus (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["text", "html", "md", "json"]),
              default="text", show_default=True, help="Output format.")
@click.option("--whole", is_flag=True,
              help="Align the two whole texts instead of only the passages they share.")
@click.option("--show-cosmetic", is_flag=True,
              help="Also show cosmetic differences (quotes, case, spaces, dashes).")
@click.option("--width", type=click.IntRange(min=40), default=None,
              help="Terminal width for the side-by-side view (default: the terminal's).")
@click.option("--color/--no-color", default=None,
              help="Colour the text view (default: only on a terminal). --color colours "
                   "it also when piped or written with -o (for `less -R`).")
@click.option("--legend", is_flag=True, expose_value=False, is_eager=True,
              callback=_print_legend,
              help="Print what each plain-text marker means, and exit.")
@click.option("-o", "--output", metavar="FILE", help="Write to FILE instead of stdout.")
@corpus_options
@library_errors
def diff_cmd(a: str, b: str, corpus_paths: tuple[str, ...], fmt: str, whole: bool,
             show_cosmetic: bool, width: int | None, color: bool | None, output: str | None,
             **opts: Any) -> None:
    """Show word by word how B rewords A: kept, cut, added, replaced, moved.

    A and B are two text files, or two document ids with --corpus. By default only
    the passages they share (as `dedup find` and `dedup compare` see them) are
    aligned, one after the other; --whole aligns the two whole texts. Number,
    quotation and attribution changes are flagged. Piped, edits are marked in plain
    text: [-cut-], {+added+}, [~old~] {~new~}, [m1] moved [/m1]; --legend lists them all.
    """
    import json
    import textwrap

    from .align import align
    from .compare import compare
    from .diffview import alignment_to_json, render_html_page, render_markdown, render_text

    if corpus_paths:
        corpus = load_corpus(corpus_paths, opts)
        docs = {d.id: d for d in corpus.documents}
        text_a, text_b = _pick(docs, a, corpus_paths), _pick(docs, b, corpus_paths)
    else:
        text_a, text_b = _read_text_file(a), _read_text_file(b)
    if whole:
        als = [align(text_a, text_b)]
    else:
        als = [p.alignment for p in compare(text_a, text_b).passages]
    none = (f"{visible(a)} and {visible(b)} share no passage; --whole aligns the two whole "
            "texts.\n")
    if fmt == "json":
        data = {"a_id": a, "b_id": b, "whole": whole,
                "passages": [alignment_to_json(al) for al in als]}
        text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    elif not als and fmt != "html":
        text = none
    elif fmt == "html":
        text = render_html_page(als, show_cosmetic=show_cosmetic, label_a=a, label_b=b,
                                title=f"{a} vs {b}")
    elif fmt == "md":
        text = "\n".join(
            (f"## Passage {i}: {a}[{al.a_span[0]}:{al.a_span[1]}] \u2192 "
             f"{b}[{al.b_span[0]}:{al.b_span[1]}]\n\n" if len(als) > 1 else "")
            + render_markdown(al, show_cosmetic=show_cosmetic, label_a=a, label_b=b)
            for i, al in enumerate(als, start=1))
    else:
        to_tty = output in (None, "-") and sys.stdout.isatty()
        use_color = to_tty if color is None else color
        cols = width or (shutil.get_terminal_size((100, 24)).columns if to_tty else 100)
        parts = []
        for i, al in enumerate(als, start=1):
            head = "" if whole else "\n".join(textwrap.wrap(
                f"-- passage {i} of {len(als)}: {visible(a)}[{al.a_span[0]}:{al.a_span[1]}] "
                f"-> {visible(b)}[{al.b_span[0]}:{al.b_span[1]}]", cols)) + "\n"
            parts.append(head + render_text(al, width=cols, color=use_color,
                                            show_cosmetic=show_cosmetic, label_a=a, label_b=b))
        _emit("\n".join(parts) if parts else none, output, color=use_color)
        return
    _emit(text, output)


@main.command("compare")
@click.argument("source", required=False)
@click.argument("derived", required=False)
@click.option("--corpus", "corpus_paths", multiple=True, type=click.Path(),
              help="Read SOURCE and DERIVED (or --pairs) as document ids from this corpus.")
@click.option("--pairs", "pairs_path", type=click.Path(),
              help="Batch mode: a CSV/TSV with source_id and derived_id columns.")
@click.option("--json", "json_out", metavar="FILE",
              help="Write JSON ('-' for stdout); in batch mode one line per pair.")
@click.option("--wholly", type=FiniteFloat(0, 1), default=None,
              help="Coverage from which DERIVED is wholly derived (default fitted on "
                   "COUNTER: 0.48).")
@click.option("--partially", type=FiniteFloat(0, 1), default=None,
              help="Coverage from which DERIVED is partially derived (default 0.16).")
@click.option("--show-cosmetic", is_flag=True, help="Show cosmetic differences in the diffs.")
@click.option("--width", type=click.IntRange(min=40), default=None,
              help="Terminal width for the diffs (default: the terminal's).")
@corpus_options
@library_errors
def compare_cmd(source: str | None, derived: str | None, corpus_paths: tuple[str, ...],
                pairs_path: str | None, json_out: str | None, wholly: float | None,
                partially: float | None, show_cosmetic: bool, width: int | None,
                **opts: Any) -> None:
    """How much of DERIVED comes from SOURCE: coverage, verdict, shared passages.

    SOURCE and DERIVED are two text files, or two ids with --corpus. The verdict is
    wholly, partially or non derived. Batch mode: --corpus DOCS --pairs PAIRS.csv
    --json OUT writes one JSON line per pair.
    """
    import json
    from dataclasses import replace

    from .compare import CompareParams, compare, compare_pairs, comparison_to_json
    from .diffview import render_text
    from .models import Skipped

    params = CompareParams()
    if wholly is not None or partially is not None:
        params = replace(params, **{k: v for k, v in (("wholly", wholly),
                                                      ("partially", partially))
                                    if v is not None})
    if pairs_path:
        if not corpus_paths:
            raise click.UsageError("--pairs needs --corpus")
        if source or derived:
            raise click.UsageError("give either SOURCE DERIVED or --pairs, not both")
        corpus = load_corpus(corpus_paths, opts)
        skipped: list[Skipped] = []
        lines = [json.dumps(row, ensure_ascii=False)
                 for row in compare_pairs(corpus, pairs_path, params=params,
                                          skip_invalid=opts["skip_invalid"],
                                          on_skip=skipped.append)]
        for s in skipped:
            warn(f"skipped {s.path}: {s.reason}")
        if skipped:
            warn(f"{len(skipped)} pair(s) skipped, {len(lines)} compared")
        _emit("".join(line + "\n" for line in lines), json_out or "-")
        return
    if not source or not derived:
        raise click.UsageError("give SOURCE and DERIVED, or --corpus with --pairs")
    if corpus_paths:
        corpus = load_corpus(corpus_paths, opts)
        docs = {d.id: d for d in corpus.documents}
        text_s, text_d = _pick(docs, source, corpus_paths), _pick(docs, derived, corpus_paths)
    else:
        text_s, text_d = _read_text_file(source), _read_text_file(derived)
    result = compare(text_s, text_d, params=params)
    if json_out:
        data = comparison_to_json(result, source, derived, alignments=True)
        _emit(json.dumps(data, ensure_ascii=False, indent=2) + "\n", json_out)
        if json_out == "-":
            return
    to_tty = sys.stdout.isatty()
    cols = width or (shutil.get_terminal_size((100, 24)).columns if to_tty else 100)
    n = len(result.passages)
    src, der = visible(source), visible(derived)
    import textwrap

    echo("\n".join(textwrap.wrap(
        f"{src} vs {der}: {der} is {result.verdict} derived: "
        f"{result.covered_words} of its {result.derived_words} words "
        f"({result.coverage:.1%}) are aligned with {src}; {result.source_covered_words} of "
        f"{src}'s {result.source_words} words ({result.source_coverage:.1%}) were reused. "
        f"{n} shared passage{'s' if n != 1 else ''}.", cols)))
    if not n and result.covered_words:
        echo("\n".join(textwrap.wrap(
            "(No sentence of one matches a sentence of the other closely enough to show "
            "as a shared passage: the aligned words are scattered.)", cols)))
    for i, p in enumerate(result.passages, start=1):
        echo("\n" + "\n".join(textwrap.wrap(
            f"-- passage {i}: {src}[{p.source_span[0]}:{p.source_span[1]}] -> "
            f"{der}[{p.derived_span[0]}:{p.derived_span[1]}], score {p.score:.2f}", cols)))
        echo(render_text(p.alignment, width=cols, color=to_tty,
                         show_cosmetic=show_cosmetic, label_a=source, label_b=derived),
             color=to_tty)


@main.command("report")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("-o", "--output", required=True, metavar="FILE",
              help="Write the report to FILE (one self-contained file).")
@click.option("--format", "fmt", type=click.Choice(["html", "md"]), default="html",
              show_default=True, help="HTML (opens offline in any browser) or Markdown.")
@click.option("--title", default="dedup report", show_default=True, help="Report title.")
@click.option("--show-cosmetic", is_flag=True,
              help="Also highlight cosmetic differences (quotes, case, spaces, dashes).")
@click.option("--limit", type=click.IntRange(min=0), default=50, show_default=True,
              help="Stories, other shared clusters and repeats shown in full, largest "
                   "first (0: all). The tables of every story, cluster and document stay "
                   "complete; a note says what was cut.")
@click.option("-q", "--quiet", is_flag=True, help="No progress, no summary table.")
@workers_option
@engine_options
@corpus_options
@library_errors
def report_cmd(paths: tuple[str, ...], output: str, fmt: str, title: str,
               show_cosmetic: bool, limit: int, quiet: bool, workers: int | None,
               **opts: Any) -> None:
    """Write a report of the shared material in PATHS, for reading.

    Every cluster that `dedup find` reports, with a pivot version (the likely wire
    source) and every other outlet's version aligned to it, plus a per-outlet
    rewording summary, which is also printed on the terminal.
    """
    from .report.html import render_report_html
    from .report.markdown import render_report_markdown
    from .report.terminal import outlet_table
    from .rewording import cluster_views, outlet_summary

    workers = cap_workers(workers)
    corpus = load_corpus(paths, opts)
    progress = Progress(enabled=False if quiet else None)
    try:
        with open_engine_from(opts, workers) as engine:
            result = find(corpus, progress=progress, workers=workers, engine=engine)
        views = cluster_views(result, progress=progress)
    finally:
        progress.close()
    if fmt == "md":
        text = render_report_markdown(result, title=title, views=views, limit=limit or None)
    else:
        text = render_report_html(result, title=title, show_cosmetic=show_cosmetic, views=views,
                                  limit=limit or None)
    write_output(output, text)
    if not quiet:
        echo(outlet_table(outlet_summary(views), width=terminal_width()))
        echo(f"report written to {visible(output)}")


if __name__ == "__main__":  # pragma: no cover
    main()
