"""The domain of Kollegium: accounts, statuses, groups, timelines, storage, jobs, settings."""

__version__ = "0.1.0"
