"""One validated settings object. Every knob is an environment variable with prefix ``REUNITE_``."""

from __future__ import annotations

import os
import secrets
import socket
from pathlib import Path

import platformdirs
from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from reunite.adapters.db.ann import EF_SEARCH
from reunite.domain.errors import InvalidInput
from reunite.domain.reach import DEFAULT_SCHEDULE
from reunite.domain.times import DEFAULT_ZONE, given_zone


def _default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("reunite", appauthor=False))


class Settings(BaseSettings):
    """Runtime configuration, read from ``REUNITE_*`` environment variables (and ``.env``)."""

    model_config = SettingsConfigDict(env_prefix="REUNITE_", env_file=".env", extra="ignore", populate_by_name=True)

    data_dir: Path = Field(default_factory=_default_data_dir, description="Embedded database and photos live here.")
    database_url: str | None = Field(
        default=None,
        description="postgresql:// URL of a server with pgvector. Unset: the embedded server in data_dir/pgdata.",
    )
    photo_dir: Path | None = Field(default=None, description="Local photo store; default data_dir/photos.")
    s3_bucket: str = Field(default="", description="Keep photos in this S3-compatible bucket instead of photo_dir.")
    s3_endpoint_url: str | None = Field(default=None, description="S3 endpoint (SeaweedFS, Ceph...); unset: AWS.")
    s3_region: str | None = None
    s3_access_key: str | None = None
    s3_secret_key: str | None = None
    s3_prefix: str = Field(default="", description="Prefix of every photo key in the bucket.")
    db_pool_size: int = Field(default=5, description="Database connections kept open per process.")
    db_max_overflow: int = Field(default=10, description="Extra connections a process may open at peaks.")
    rendition_cache_mb: int = Field(default=64, ge=0, description=(
        "Memory per web process for photos as served (scaled, bystanders blurred), so each is made once."))
    log_json: bool = Field(default=False, description="Log one JSON object per line (for a log collector).")
    metrics_token: str = Field(default="", description="Bearer token for /metrics; unset: loopback clients only.")
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    web_workers: int = Field(default=0, ge=0, description="Web processes `reunite serve` starts; 0: one per core.")
    in_process_worker: bool = Field(default=True, description=(
        "`serve` also runs a job worker: in a process of its own beside several web processes, in the "
        "web process itself with one."))
    worker_concurrency: int = 1

    map_tiles_url: str = Field(
        default="https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        validation_alias=AliasChoices("REUNITE_MAP_TILES_URL", "REUNITE_TILE_URL"),
        description=("Map tiles for pages ({z}/{x}/{y} template), e.g. your own tile server where the public "
                     "one is unreachable; empty for no map (pages work without one: places are typed)."),
    )
    map_attribution: str = Field(
        default="© OpenStreetMap contributors", validation_alias="REUNITE_MAP_ATTRIBUTION",
        description="The credit the tile provider requires, shown on every map.")

    timezone: str = Field(
        default=DEFAULT_ZONE,
        description="IANA zone for times given without one (no JavaScript, cameras without an offset, "
                    "spreadsheets) and for readers whose browser has not said theirs.",
    )

    public_url: str = Field(default="", description="This site's address, for shared links (Open Graph, posters).")
    contact_phone: str = Field(default="", description=(
        "The platform's own phone line, which posters, feeds and alerts tell whoever sees a child to call, and the "
        "report form calls ours; empty: the police number (REUNITE_POLICE_PHONE, else that of REUNITE_TIMEZONE's "
        "country), named as the police's."))
    contact_email: str = Field(default="", description="The platform's address printed on posters.")
    police_phone: str = Field(default="", description=(
        "The police emergency number pages tell readers to call when a child is in danger now; empty: the number "
        "of the country REUNITE_TIMEZONE lies in (110 in China), or none named where it is not known."))

    # Uploads
    max_upload_bytes: int = Field(default=25 * 1024 * 1024, description="Largest accepted request body.")
    max_photo_bytes: int = Field(default=20 * 1024 * 1024, description="Largest accepted single photo.")
    max_photo_pixels: int = Field(default=50_000_000, description=(
        "Decompression-bomb guard: a phone's largest common photos (48 and 50 megapixels) fit."))
    max_photos_per_report: int = 10

    # Face pipeline
    detector_upsample: int = Field(
        default=1, ge=0, le=3,
        description="Most HOG upsampling tried, in turn, when a photo shows no face at its own scale.",
    )
    cnn_fallback: bool = Field(default=True, description="Run the CNN detector when HOG finds no face.")
    detect_max_side: int = Field(default=1600, description="Photos are scaled down to this side before detection.")
    flip_average: bool = Field(default=True, description=(
        "Average each face's embedding with its mirror image's: better recall in every direction under nested "
        "cross-validation, for about 7 ms a face (docs/benchmarks.md). The bundled adaptation and calibration "
        "were fitted with it on; after changing it run `reunite rematch --reembed`."))
    adaptation: bool = Field(default=True, description="Apply the bundled linear embedding adaptation.")
    case_jitter: int = Field(default=3, ge=0, le=20, description=(
        "Jittered copies averaged into each case photo's embedding (cases are few; sightings are not jittered)."))

    onnx_model: Path | None = Field(default=None, description=(
        "A second face model you provide: an ArcFace-style ONNX file (docs/models.md). Its embeddings are fused "
        "with dlib's; run `reunite rematch --reembed` after setting or changing it."))
    onnx_sha256: str = Field(default="", description=(
        "The expected sha256 of onnx_model: a file that does not match is refused at start-up."))
    onnx_weight: float = Field(default=0.5, ge=0, le=1, description=(
        "The second model's share of the fused face similarity (0: stored and indexed, not counted)."))

    # Matching
    candidate_min_score: float = Field(default=0.0, description=(
        "Candidates whose face evidence (face similarity less hubness) is below this are not proposed; "
        "place, time, age and sex only order them."))
    propose_one_in: float = Field(default=500, gt=1, description=(
        "The operating point: a candidate is proposed when at most 1 in this many pairs of different children "
        "of similar ages and age gap score as high (docs/benchmarks.md chose it)."))
    candidates_per_sighting: int = Field(default=3, ge=1, description="Cases proposed per sighting face at most.")
    candidates_per_case: int = Field(default=25, ge=1, description=(
        "Proposals waiting per case at most; a better one replaces the weakest."))
    ann_neighbours: int = Field(default=200, description="Faces fetched from the vector index per query.")
    ann_ef_search: int = Field(default=EF_SEARCH, ge=10, le=1000, description=(
        "Candidates the vector index keeps while searching (pgvector's hnsw.ef_search, at most 1,000): "
        "800 holds recall@10 above 0.98 up to a million faces per index; 400 costs a fifth less CPU per "
        "search and is enough up to ~100k faces (docs/benchmarks.md)."))

    # Accounts and abuse resistance
    secret_key: str = Field(
        default="", description=(
            "Signs CSRF and proof-of-work tokens, reporters' private links, alert and removal links; default: a "
            "random key kept in data_dir (backed up with it). Every process sharing one database, workers "
            "included, needs the same key."))
    session_days: int = Field(default=14, ge=1, description="How long a sign-in lasts.")
    reports_per_hour: int = Field(default=10, description=(
        "Reports per hour per account; for an anonymous address, the reports with a proof-of-work puzzle at its "
        "base difficulty (each further one in the hour needs a puzzle twice as hard, up to "
        "proof_of_work_max_bits)."))
    reports_per_hour_without_proof: int = Field(
        default=3, description="Reports per hour per IP from anonymous senders without proof-of-work (no JavaScript).")
    puzzle_reports_per_hour: int = Field(default=200, ge=1, description=(
        "Anonymous reports per hour per IP with a solved puzzle: a ceiling far above what one address's "
        "witnesses send (a carrier's NAT, a school's Wi-Fi); below it a solved puzzle always buys a report."))
    refused_reports_per_hour: int = Field(default=30, ge=1, description=(
        "Reports refused for their input per hour per account, token, or IP for anonymous senders without a "
        "fresh puzzle (they do not count against the limits above); past it, such reports are refused at once "
        "with 429. A report with a fresh puzzle is never refused by it (a refusal costs its puzzle)."))
    searches_per_hour: int = 30
    messages_per_hour: int = 20
    partner_requests_per_hour: int = Field(default=5000, description="Reports and searches per hour per API token.")
    import_records_per_request: int = Field(default=1000, ge=1, description=(
        "Records (PFIF persons and notes, a sheet's rows) one import by an API token or an account may hold; more is "
        "refused whole with 413 naming the limit (the command line, run on the server, has no limit)."))
    imported_records_per_hour: int = Field(default=2000, ge=1, description=(
        "Records one API token or account may import per hour (PFIF and sheets together, dry runs not counted); "
        "past it, 429 with the wait."))
    listings_per_hour: int = Field(
        default=600,
        description="Sighting listings and single sighting reads per hour per family account or partner token.")
    sign_in_failures_per_account: int = Field(
        default=5, ge=1, description="Wrong passwords in a row for one email before sign-in is locked for a while.")
    sign_in_failures_per_address: int = Field(
        default=20, ge=1, description="Failed sign-ins in a row from one address before it is locked for a while.")
    sign_in_lockout_seconds: int = Field(default=30, ge=1, description="First lock; it doubles with each failure.")
    sign_in_lockout_max_minutes: int = Field(default=60, ge=1, description="The longest lock.")
    sign_ups_per_hour: int = Field(default=5, description="Sign-up requests per hour per address.")
    takedowns_per_hour: int = Field(default=5, description="Removal requests per hour per address.")
    trusted_proxies: str = Field(default="", description=(
        "Comma-separated addresses or networks of your reverse proxies. Only from these are "
        "X-Forwarded-For and X-Forwarded-Proto believed; default: none (the connecting address counts)."))
    webhook_allowed_hosts: str = Field(default="", description=(
        "Comma-separated host names or addresses that webhooks may reach although they are private or "
        "local (a partner inside your own network). Default: none; public addresses only."))
    proof_of_work_bits: int = Field(default=14, ge=0, le=24, description=(
        "Base difficulty of the anonymous report puzzle (zero bits of SHA-256: 2**bits hashes expected)."))
    proof_of_work_max_bits: int = Field(default=20, ge=0, le=24, description=(
        "The puzzle's most difficulty: it grows one bit per report past reports_per_hour from one address in an "
        "hour, up to this (2**20 hashes: about 2 s in a slow phone's browser, docs/benchmarks.md)."))
    sighting_retention_days: int = Field(default=730, description="Sightings are blanked after this many days.")
    sighting_years: int = Field(default=25, ge=1, le=150, description=(
        "How many years before a report its child may have been seen: a time given earlier is refused naming the "
        "limit (a year typed wrong, 1926 for 2026), as a camera's clock that old is no time. Raise it only to "
        "replay old photos (the corpus benchmarks: decades of one person's photos)."))
    closed_case_retention_days: int = Field(default=180, description="Closed cases are blanked after this many days.")
    case_removal_wait_days: int = Field(default=7, ge=1, description=(
        "A removal request about an open case that its registrant did not make waits this many days after a "
        "moderator approves it, for the registrant (family, police, partner; told at once) to object."))
    case_removal_undo_days: int = Field(default=14, ge=1, description=(
        "An open case removed on request is hidden, and kept this many days so that a moderator can restore it, "
        "before it is blanked for good."))
    rejected_sighting_retention_days: int = Field(default=30, ge=1, description=(
        "Reports the moderators rejected are blanked (photos, faces, words) this many days after the decision: "
        "time to correct a mistaken rejection, no longer."))
    reviews_per_day: int = Field(default=300, ge=1, description=(
        "Decisions one reviewer makes in a day; a queue alarms when the week's active reviewers cannot clear it "
        "within queue_max_wait_hours at this pace."))
    queue_max_wait_hours: float = Field(default=24, gt=0, description="Longest an item should wait in a queue.")
    undo_minutes: float = Field(default=2, ge=0, le=60, description=(
        "A reviewer may undo a decision this long; a family sees and hears of a confirmed lead only after it."))
    four_eyes: bool = Field(default=False, description=(
        "A second reviewer must confirm a candidate before the family is told."))
    sources_allow_private: bool = Field(
        default=False, description="Let sources (feeds, timelines) be read from loopback or private addresses.")
    mail_intake_address: str = Field(default="", description="The address people email sightings to (shown).")

    # Reach and exchange
    smtp_host: str = Field(default="", description="SMTP server for alerts and notices; empty: emails are not sent.")
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    smtp_sender: str = Field(default="reunite@localhost", description="The From: address of every email.")
    alert_schedule: str = Field(
        default=DEFAULT_SCHEDULE,
        description="Alert radius by time since the disappearance: 'HOURSh:KM,…,*:KM' (Tuanyuan's default).")
    pfif_domain: str = Field(default="", description="Domain of this site's PFIF record ids (default: public_url's).")
    poster_font: str = Field(default="", description="A TTF/TTC font with Chinese glyphs for PDF posters.")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:  # UTC+8 is that offset; Etc/GMT+8 (UTC-08:00 in the zone database) refused naming it (probe s46 P13)
            found = given_zone(value, "REUNITE_TIMEZONE")
        except InvalidInput as exc:
            raise ValueError(exc.message) from None
        if found is None:
            raise ValueError(f"unknown time zone {value!r}: give an IANA name such as Asia/Shanghai or Europe/London")
        return found.key

    def base_url(self) -> str:
        """The public address; without one, the address served (never the Host header a request
        names: a link in an email built from it could point anywhere). A wildcard host (0.0.0.0, ::)
        is served as this machine's name."""
        if self.public_url:
            return self.public_url.rstrip("/")
        host = socket.gethostname() if self.host in ("0.0.0.0", "::", "") else self.host  # noqa: S104
        return f"http://{f'[{host}]' if ':' in host else host}:{self.port}"

    def secret_file(self) -> Path | None:
        """Where the signing key is kept when REUNITE_SECRET_KEY is unset (data_dir/secret_key), else None."""
        return None if self.secret_key else self.data_dir / "secret_key"

    def secret(self) -> bytes:
        """The signing key: the configured one, else one made once and kept (mode 0600) in data_dir."""
        if self.secret_key:
            return self.secret_key.encode()
        path = self.data_dir / "secret_key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_hex(32))
        return path.read_text().strip().encode()

    def trusted_proxy_list(self) -> list[str]:
        return [p.strip() for p in self.trusted_proxies.split(",") if p.strip()]

    def webhook_allowed_host_list(self) -> list[str]:
        return [h.strip().lower() for h in self.webhook_allowed_hosts.split(",") if h.strip()]

    def photos_path(self) -> Path:
        return self.photo_dir or self.data_dir / "photos"

    def pgdata_path(self) -> Path:
        return self.data_dir / "pgdata"
