"""symact: exact mathematics of neural-network activation functions."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("symact")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

__all__ = ["__version__"]
