"""APScheduler wiring and the small jobs that tick; the database decides what is due."""
