"""Checks the command handlers share: output paths, worker options, sample-size lists (each written once)."""
import os

from .base.errors import InputError
from .base.inputs import sample_sizes
from .limits import MAX_SAMPLES


def _writable_path(path, option, extensions=None):
    if os.path.isdir(path):
        raise InputError(f"{option}: {path} is a folder; give a file name")
    if extensions and os.path.splitext(path)[1].lower() not in extensions:
        raise InputError(f"{option}: {path} must end in {' or '.join(extensions)}")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise InputError(f"{option}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise InputError(f"{option}: the folder {folder} is not writable")
    return path


def _writable_folder(path, option):
    """Create the folder ``path`` (refusing a file or an unwritable place) before any work is done."""
    if os.path.exists(path) and not os.path.isdir(path):
        raise InputError(f"{option}: {path} is a file, not a folder")
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{option}: cannot create the folder {path} ({exc.strerror})") from None
    if not os.access(path, os.W_OK):
        raise InputError(f"{option}: the folder {path} is not writable")
    return path


def _check_workers(args):
    if args.workers and args.scheduler:
        raise InputError("--workers starts a local cluster and --scheduler names an existing one: give one of them")
    if args.scheduler:
        from .orchestration.sweep import check_scheduler_address  # Dask's module only when a scheduler is named
        check_scheduler_address(args.scheduler)


def _sizes(text):
    return sample_sizes(text, MAX_SAMPLES)
