"""Operational figures for Prometheus, read from the database on each scrape (so every web process
reports the same numbers, whichever one is scraped): queue depth and age, job durations, faces
stored per second, face engine failures, jobs given up, photos never searched, review backlog, faces
embedded with another recipe than the workers' engine's. Counts only: nothing about any case, sighting or person."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import Engine

from reunite.adapters.db.queues import UNSEARCHED_AFTER
from reunite.adapters.db.recipes import count_outdated, read_recipe
from reunite.adapters.db.workbench import FROM, OPEN

WINDOW_SECONDS = 300  # recent rates and durations are over the last five minutes


class DatabaseCollector(Collector):
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[GaugeMetricFamily]:
        with self.engine.connect() as conn:
            # a job planned for later (an alert round when the radius widens, a retry's backoff) waits for
            # nobody until it is due: counted apart, and never as the oldest waiting (its age would be negative)
            queue = conn.exec_driver_sql(
                "SELECT j.queue_name, j.status::text, count(*), "
                "COALESCE(EXTRACT(EPOCH FROM now() - min(COALESCE(j.scheduled_at, e.at))), 0) "
                "FROM procrastinate_jobs j LEFT JOIN LATERAL (SELECT min(at) AS at FROM procrastinate_events "
                "WHERE job_id = j.id AND type = 'deferred') e ON true "
                "WHERE j.status = 'doing' "
                "OR (j.status = 'todo' AND (j.scheduled_at IS NULL OR j.scheduled_at <= now())) "
                "GROUP BY 1, 2").all()
            later = conn.exec_driver_sql(
                "SELECT queue_name, count(*) FROM procrastinate_jobs WHERE status = 'todo' AND scheduled_at > now() "
                "GROUP BY 1").all()
            durations = conn.exec_driver_sql(
                "SELECT j.task_name, count(*), EXTRACT(EPOCH FROM avg(done.at - started.at)), "
                "EXTRACT(EPOCH FROM percentile_cont(0.95) WITHIN GROUP (ORDER BY done.at - started.at)) "
                "FROM procrastinate_events done JOIN procrastinate_jobs j ON j.id = done.job_id "
                "JOIN LATERAL (SELECT max(at) AS at FROM procrastinate_events WHERE job_id = done.job_id "
                "AND type = 'started' AND at <= done.at) started ON true "
                "WHERE done.type IN ('succeeded', 'failed') AND done.at > now() - make_interval(secs => %(w)s) "
                "GROUP BY 1", {"w": WINDOW_SECONDS}).all()
            faces = conn.exec_driver_sql(
                "SELECT count(*) FROM faces WHERE created_at > now() - make_interval(secs => %(w)s)",
                {"w": WINDOW_SECONDS}).scalar_one()
            engine_failures = conn.exec_driver_sql(  # services.faces.engine_failed (by the subject's index)
                "SELECT count(*) FROM audit_log WHERE subject = 'face_engine' AND subject_id = 0 "
                "AND action = 'faces.engine_unavailable' AND at > now() - make_interval(secs => %(w)s)",
                {"w": WINDOW_SECONDS}).scalar_one()
            failed = conn.exec_driver_sql(  # given up for good: `reunite rematch` queues their photos again
                "SELECT task_name, count(*) FROM procrastinate_jobs WHERE status = 'failed' GROUP BY 1").all()
            unsearched = conn.exec_driver_sql(  # as the moderators' queue marks them (``UNSEARCHED_AFTER``)
                "SELECT count(*) FROM photos WHERE processed_at IS NULL AND held_since IS NULL "
                "AND created_at < now() - make_interval(secs => %(s)s)", {"s": UNSEARCHED_AFTER}).scalar_one()
            backlog = conn.exec_driver_sql(
                "SELECT count(*), COALESCE(EXTRACT(EPOCH FROM now() - min(c.created_at)), 0) "
                f"{FROM} WHERE {OPEN}").one()  # candidates reviewers can act on, as the workbench reads them
            recipe = read_recipe(conn)  # the workers' engine's, recorded as each starts
            # a few index probes while every face is current; the outdated faces' index entries otherwise
            outdated = count_outdated(conn, recipe, photos=False) if recipe else None
        depth = GaugeMetricFamily("reunite_queue_jobs", "Jobs due and waiting (todo) or running (doing)",
                                  labels=["queue", "status"])
        age = GaugeMetricFamily("reunite_queue_oldest_job_age_seconds",
                                "How long the oldest job due has waited (todo: since it was due) or run (doing)",
                                labels=["queue", "status"])
        for name, status, count, oldest in queue:
            depth.add_metric([name, status], count)
            age.add_metric([name, status], max(float(oldest), 0.0))
        planned = GaugeMetricFamily("reunite_queue_jobs_scheduled",
                                    "Jobs planned for later (not due yet: waiting for nobody)", labels=["queue"])
        for name, count in later:
            planned.add_metric([name], count)
        done = GaugeMetricFamily("reunite_jobs_finished", f"Jobs finished in the last {WINDOW_SECONDS} s",
                                 labels=["task"])
        mean = GaugeMetricFamily("reunite_job_duration_seconds_mean",
                                 f"Mean job duration over the last {WINDOW_SECONDS} s", labels=["task"])
        p95 = GaugeMetricFamily("reunite_job_duration_seconds_p95",
                                f"95th percentile job duration over the last {WINDOW_SECONDS} s", labels=["task"])
        for task, count, average, slow in durations:
            done.add_metric([task], count)
            mean.add_metric([task], float(average or 0))
            p95.add_metric([task], float(slow or 0))
        yield from (depth, age, planned, done, mean, p95)
        yield GaugeMetricFamily("reunite_faces_per_second", f"Faces stored per second over the last {WINDOW_SECONDS} s",
                                value=faces / WINDOW_SECONDS)
        yield GaugeMetricFamily("reunite_face_engine_failures",
                                f"Photos the face engine could not load or run for (model file missing or damaged, "
                                f"out of memory) in the last {WINDOW_SECONDS} s: each waits, its job retried",
                                value=engine_failures)
        given_up = GaugeMetricFamily("reunite_jobs_failed", "Jobs that failed for good (not retried again; "
                                     "`reunite rematch` queues their reports' photos again)", labels=["task"])
        for task, count in failed:
            given_up.add_metric([task], count)
        yield given_up
        yield GaugeMetricFamily("reunite_photos_unsearched", f"Photos whose faces were not yet searched for, "
                                f"{UNSEARCHED_AFTER} s or more after they came (a worker down, the photo store or "
                                f"the face engine failing, a job given up)", value=unsearched)
        yield GaugeMetricFamily("reunite_review_backlog", "Candidates waiting for review", value=backlog[0])
        yield GaugeMetricFamily("reunite_review_backlog_oldest_seconds", "Age of the oldest candidate waiting",
                                value=float(backlog[1]))
        if outdated is not None:  # unknown until a worker has started
            yield GaugeMetricFamily("reunite_faces_outdated", "Stored faces embedded with another recipe than the "
                                    "workers' face engine's: not comparable until `reunite rematch --reembed`",
                                    value=outdated.faces)
            if recipe and recipe.extra_model:
                yield GaugeMetricFamily("reunite_faces_outdated_second_model", "Stored faces' embeddings by the "
                                        "second face model with another version than the workers'",
                                        value=outdated.extra)
