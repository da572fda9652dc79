"""netcheck: finds out why a private Azure ML online endpoint can't deploy or be reached."""

__version__ = "0.1.0"
