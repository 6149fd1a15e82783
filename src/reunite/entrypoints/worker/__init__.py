"""procrastinate tasks and the worker loop. Tasks take ids, call services, log ids only."""
