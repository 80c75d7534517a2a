"""The dataset preflight: a Ground Truth manifest checked against the Custom Labels rules before anything trains.

One pass over the manifest's lines (configuration.jsonlines: "\\n" only, bounded line length, a BOM refused),
each line checked by configuration.dataset_rules; the images are looked at by `probe(bucket, key)` (an S3 HEAD
and ranged GET in the activity, a file stat and read in `sync`) on a bounded thread pool, at most IN_FLIGHT
lines ahead of the tally, so time is linear and memory bounded whatever the manifest's size. Used by the
`preflight_dataset` activity and by `sync`; the I/O is the caller's.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from configuration.dataset_rules import MAX_MANIFEST_BYTES, DatasetTally, ImageFacts, Report, check_line
from configuration.image_headers import WINDOW, HeaderTooDeep, ReadAt, image_size
from configuration.jsonlines import MAX_LINE_BYTES, ManifestHasBom, ManifestTooLongLine, iter_lines

Probe = Callable[[str, str], ImageFacts]
WORKERS = 16  # images looked at in parallel
IN_FLIGHT = WORKERS * 8  # lines read ahead of the tally
CACHE = 4_096  # recent images remembered: a manifest naming one image many times looks at it once
PROGRESS_EVERY = 1_000  # lines


def image_facts(size: int, read_at: ReadAt) -> ImageFacts:
    """What an image's size and first bytes say (`read_at(offset, length)`: a ranged read, never the whole file)."""
    if size == 0:
        return ImageFacts(exists=True, size=0)
    try:
        kind, dimensions = image_size(read_at, read_at(0, WINDOW))
    except HeaderTooDeep:
        return ImageFacts(exists=True, size=size, format="jpeg", unchecked_size=True)
    return ImageFacts(exists=True, size=size, format=kind, dimensions=dimensions)


def _cached(probe: Probe, pool: ThreadPoolExecutor) -> Callable[[str, str], Future]:
    recent: OrderedDict[tuple[str, str], Future] = OrderedDict()

    def submit(bucket: str, key: str) -> Future:
        found = recent.get((bucket, key))
        if found is None:
            found = recent[(bucket, key)] = pool.submit(probe, bucket, key)
            if len(recent) > CACHE:
                recent.popitem(last=False)
        else:
            recent.move_to_end((bucket, key))
        return found

    return submit


def _missing() -> Future:
    """s3://bucket/ names no object."""
    done: Future = Future()
    done.set_result(ImageFacts(exists=False))
    return done


def check_manifest(read: Callable[[int], bytes], size: int, probe: Probe, *, regions=(), rewrites_buckets=True,
                   progress: Callable[[int], None] = lambda line: None, workers: int = WORKERS) -> Report:
    """Stream the manifest from `read(n)` (`size` bytes) and return the preflight's report.

    `probe` may raise (an S3 outage): the error reaches the caller, which retries the whole check.
    """
    tally = DatasetTally(regions, rewrites_buckets)
    if size > MAX_MANIFEST_BYTES:
        tally.fail("MANIFEST_FILE_SIZE", f"{size} bytes, over the 1 GB limit", "split the dataset")
        return tally.report()
    pending: deque = deque()
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="preflight") as pool:
        submit = _cached(probe, pool)
        try:
            for number, raw in enumerate(iter_lines(read), start=1):
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError:
                    tally.fail("MANIFEST_FILE_ENCODING", "not UTF-8 text", "save the manifest as UTF-8", number)
                    return tally.report()
                if not text.strip():
                    continue
                line = check_line(number, text)
                image = None
                if line.image is not None:
                    image = submit(*line.image) if line.image[1] else _missing()
                pending.append((line, image))
                while len(pending) > IN_FLIGHT:
                    _settle(tally, *pending.popleft())
                if number % PROGRESS_EVERY == 0:
                    progress(number)
        except ManifestHasBom:
            tally.fail("UTF8_BOM", "the manifest starts with a UTF-8 byte order mark", "save it as UTF-8 without BOM")
        except ManifestTooLongLine as exc:
            tally.fail("LINE_TOO_LONG", f"longer than {MAX_LINE_BYTES // 1048576} MiB: not one Ground Truth line",
                       "put one image per line", exc.line)
        if tally.terminal:
            for _, image in pending:
                if image is not None:
                    image.cancel()
            return tally.report()
        while pending:
            _settle(tally, *pending.popleft())
    if tally.lines == 0:
        tally.fail("MANIFEST_FILE_EMPTY", "no JSON line", "add one line per labelled image")
    return tally.report()


def _settle(tally: DatasetTally, line, image: Future | None) -> None:
    tally.add(line, image.result() if image is not None else None)
