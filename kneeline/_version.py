"""The package version, read from the installed distribution's metadata."""

from importlib.metadata import PackageNotFoundError, version


def get_version() -> str:
    """Return kneeline's version string ("0+unknown" when not installed)."""
    try:
        return version("kneeline")
    except PackageNotFoundError:
        return "0+unknown"
