"""The composition root: the one place that knows which adapter implements which port."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from sqlalchemy import Engine, create_engine

from reunite.adapters.clock import SystemClock
from reunite.adapters.db import migrate
from reunite.adapters.db.extra_faces import ExtraModel, ensure_indexes
from reunite.adapters.db.readmodel import SqlReadModel
from reunite.adapters.db.server import APP_DATABASE, EmbeddedPostgres, ensure_database, libpq_url, sqlalchemy_url
from reunite.adapters.db.uow import SqlUnitOfWork
from reunite.adapters.exchange.pfif import PfifXml
from reunite.adapters.exchange.tables import Spreadsheets
from reunite.adapters.faces.calibration import CALIBRATION_FILE, load_calibration
from reunite.adapters.faces.lazy import LazyFaceEngine
from reunite.adapters.faces.onnx_engine import OnnxFaceEngine, OnnxModel
from reunite.adapters.notify.mail import SmtpMailer
from reunite.adapters.notify.webhook import HttpWebhooks
from reunite.adapters.passwords import Argon2Passwords
from reunite.adapters.photos.codec import PillowPhotoCodec
from reunite.adapters.photos.local import LocalPhotoStore
from reunite.adapters.photos.renditions import MemoryRenditions
from reunite.adapters.posters.pdf import PdfPosters
from reunite.adapters.sources.parse import Gazetteer
from reunite.adapters.sources.web import SourceWeb
from reunite.adapters.zones import country_of_zone
from reunite.config import Settings
from reunite.domain.emergency import police_number
from reunite.domain.leads import LeadPolicy
from reunite.domain.pfif import canonical_domain
from reunite.domain.ports import Clock, FaceEngine, PhotoStore
from reunite.domain.reach import parse_schedule
from reunite.domain.scoring import MatchPolicy
from reunite.services.deps import Deps, Limits, Site

if TYPE_CHECKING:
    from reunite.adapters.faces.dlib_engine import DlibFaceEngine

log = logging.getLogger(__name__)


@dataclass
class Container:
    """Everything an entry point needs, built once per process."""

    settings: Settings
    engine: Engine
    database_uri: str  # libpq form, for procrastinate
    deps: Deps
    embedded: EmbeddedPostgres | None = None

    def close(self) -> None:
        """Release the connections and the embedded server (when no other process still uses it)."""
        self.engine.dispose()
        if self.embedded is not None:
            self.embedded.close()


def database_uri(settings: Settings) -> tuple[str, EmbeddedPostgres | None]:
    """The operator's server, or the embedded one started (or joined) in the data folder."""
    if settings.database_url:
        return libpq_url(settings.database_url), None
    embedded = EmbeddedPostgres(settings.pgdata_path())
    ensure_database(embedded.admin_uri, APP_DATABASE)
    return embedded.uri_for(APP_DATABASE), embedded


def policy_from(settings: Settings) -> MatchPolicy:
    """The calibration belongs to the adapted embeddings: without the adaptation there is none, and
    every candidate within the caps is proposed."""
    leads = LeadPolicy(propose_share=1.0 / settings.propose_one_in, per_sighting=settings.candidates_per_sighting,
                       per_case=settings.candidates_per_case)
    return MatchPolicy(min_score=settings.candidate_min_score, leads=leads, extra_weight=settings.onnx_weight,
                       calibration=load_calibration(CALIBRATION_FILE) if settings.adaptation else None)


def limits_from(settings: Settings) -> Limits:
    return Limits(
        max_photos_per_report=settings.max_photos_per_report, ann_neighbours=settings.ann_neighbours,
        reports_per_hour=settings.reports_per_hour,
        reports_per_hour_without_proof=settings.reports_per_hour_without_proof,
        puzzle_reports_per_hour=settings.puzzle_reports_per_hour,
        refused_reports_per_hour=settings.refused_reports_per_hour,
        searches_per_hour=settings.searches_per_hour, messages_per_hour=settings.messages_per_hour,
        partner_requests_per_hour=settings.partner_requests_per_hour, listings_per_hour=settings.listings_per_hour,
        import_records_per_request=settings.import_records_per_request,
        imported_records_per_hour=settings.imported_records_per_hour,
        proof_of_work_bits=settings.proof_of_work_bits, proof_of_work_max_bits=settings.proof_of_work_max_bits,
        sign_in_failures_per_account=settings.sign_in_failures_per_account,
        sign_in_failures_per_address=settings.sign_in_failures_per_address,
        sign_in_lockout=timedelta(seconds=settings.sign_in_lockout_seconds),
        sign_in_lockout_max=timedelta(minutes=settings.sign_in_lockout_max_minutes),
        sign_ups_per_hour=settings.sign_ups_per_hour, takedowns_per_hour=settings.takedowns_per_hour,
        session_lifetime=timedelta(days=settings.session_days),
        sighting_retention=timedelta(days=settings.sighting_retention_days),
        sighting_years=settings.sighting_years,
        closed_case_retention=timedelta(days=settings.closed_case_retention_days),
        rejected_sighting_retention=timedelta(days=settings.rejected_sighting_retention_days),
        case_removal_wait=timedelta(days=settings.case_removal_wait_days),
        case_removal_undo=timedelta(days=settings.case_removal_undo_days),
        reviews_per_day=settings.reviews_per_day, queue_max_wait_hours=settings.queue_max_wait_hours,
        four_eyes=settings.four_eyes, undo_window=timedelta(minutes=settings.undo_minutes),
    )


def site_from(settings: Settings) -> Site:
    base = settings.base_url()
    domain = canonical_domain(settings.pfif_domain or urlsplit(settings.public_url).hostname or "reunite.local")
    police = settings.police_phone or police_number(country_of_zone(settings.timezone))
    # no line of its own: posters give the police's (110 where the country's is not known, as before)
    own = settings.contact_phone.strip() if settings.contact_phone.strip() != police else ""
    return Site(base_url=base, pfif_domain=domain,
                contact_phone=own or police or "110", contact_email=settings.contact_email, police_phone=police,
                contact_is_police=not own, alert_schedule=parse_schedule(settings.alert_schedule),
                timezone=settings.timezone)


def photo_store(settings: Settings) -> PhotoStore:
    """S3-compatible storage when a bucket is configured (several machines), else the local folder."""
    if settings.s3_bucket:
        from reunite.adapters.photos.s3 import S3PhotoStore

        return S3PhotoStore.connect(
            settings.s3_bucket, endpoint_url=settings.s3_endpoint_url, region=settings.s3_region,
            access_key=settings.s3_access_key, secret_key=settings.s3_secret_key, prefix=settings.s3_prefix,
        )
    return LocalPhotoStore(settings.photos_path())


def build_face_engine(settings: Settings, codec: PillowPhotoCodec) -> DlibFaceEngine:
    from reunite.adapters.faces.dlib_engine import DlibFaceEngine, DlibOptions  # dlib only where faces are found

    options = DlibOptions(
        upsample=settings.detector_upsample, cnn_fallback=settings.cnn_fallback, max_side=settings.detect_max_side,
        flip=settings.flip_average, case_jitter=settings.case_jitter,
    )
    return DlibFaceEngine(codec, options if settings.adaptation else replace(options, adaptation=None))


def with_second_model(settings: Settings, faces: FaceEngine) -> FaceEngine:
    """dlib's engine with the operator's ONNX model added (``REUNITE_ONNX_MODEL``); raises ModelRefused
    when the file is missing or its sha256 is not the expected one."""
    from reunite.adapters.faces.dlib_engine import DlibFaceEngine

    if settings.onnx_model is None or not isinstance(faces, DlibFaceEngine):
        return faces
    return OnnxFaceEngine(faces, OnnxModel(settings.onnx_model, settings.onnx_sha256))


def build_engines(settings: Settings, codec: PillowPhotoCodec) -> FaceEngine:
    """What a process that finds faces builds on first use: dlib, and the operator's model if any."""
    return with_second_model(settings, build_face_engine(settings, codec))


def second_model(settings: Settings) -> ExtraModel | None:
    """The operator's model, checked now (file, sha256, that it runs) so that a refused one stops every
    process at start-up; its session is not kept (processes that find faces load their own)."""
    if settings.onnx_model is None:
        return None
    return OnnxModel(settings.onnx_model, settings.onnx_sha256).info


def bootstrap(
    settings: Settings | None = None,
    *,
    run_migrations: bool = True,
    clock: Clock | None = None,
    faces: FaceEngine | None = None,
) -> Container:
    settings = settings or Settings()
    codec = PillowPhotoCodec(settings.max_photo_bytes, settings.max_photo_pixels)
    extra = second_model(settings)  # a refused model: stop here
    faces = with_second_model(settings, faces) if faces is not None else None
    uri, embedded = database_uri(settings)
    # pre-ping: connections broken by a database restart are replaced, not handed to a request
    engine = create_engine(sqlalchemy_url(uri), pool_pre_ping=True, pool_size=settings.db_pool_size,
                           max_overflow=settings.db_max_overflow, connect_args={"connect_timeout": 5})
    if run_migrations:
        migrate.upgrade(engine)
    if extra is not None:
        ensure_indexes(engine, extra)
    deps = Deps(
        uow=partial(SqlUnitOfWork, engine, ef_search=settings.ann_ef_search, extra_model=extra),
        read=SqlReadModel(engine),
        photos=photo_store(settings),
        codec=codec,
        faces=faces or LazyFaceEngine(partial(build_engines, settings, codec)),
        clock=clock or SystemClock(),
        policy=policy_from(settings),
        limits=limits_from(settings),
        passwords=Argon2Passwords(),
        secret=settings.secret(),
        mailer=SmtpMailer(settings.smtp_host, settings.smtp_port, settings.smtp_sender, settings.smtp_user,
                          settings.smtp_password, settings.smtp_starttls, zone=settings.timezone),
        webhooks=HttpWebhooks(allowed_hosts=settings.webhook_allowed_host_list()),
        posters=PdfPosters(settings.poster_font),
        pfif=PfifXml(),
        tables=Spreadsheets(),
        site=site_from(settings),
        sources=SourceWeb(settings.sources_allow_private, settings.max_photo_bytes),
        places=Gazetteer(),
        renditions=MemoryRenditions(settings.rendition_cache_mb * 1024 * 1024),
    )
    return Container(settings, engine, uri, deps, embedded)
