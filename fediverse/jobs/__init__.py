"""The durable job queue: jobs live in the database, written with the data that caused them."""

from fediverse.jobs.queue import Job, JobQueue
from fediverse.jobs.registry import Handler, JobRegistry
from fediverse.jobs.worker import Worker

__all__ = ["Handler", "Job", "JobQueue", "JobRegistry", "Worker"]
