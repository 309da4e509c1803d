"""Uploaded images: checked, re-encoded without metadata, thumbnailed, blurhashed, stored."""

from __future__ import annotations

import asyncio
import io
import shutil
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy import insert, select, update

from fediverse.errors import NotFoundError, ValidationError
from fediverse.ids import now_ms
from fediverse.jobs import JobQueue
from fediverse.storage.database import Store
from fediverse.storage.tables import media_attachments

if TYPE_CHECKING:  # Pillow costs memory at start; it is imported when the first image comes
    from PIL.Image import Image as PillowImage

IMAGE_SIZE_LIMIT = 16 * 1024 * 1024
# Larger uploads to /api/v2/media are processed by the worker; the client gets 202 at once.
PROCESS_LATER_BYTES = 512 * 1024
PROCESS_MEDIA = "media.process"
IMAGE_MATRIX_LIMIT = 33_177_600  # 7680 x 4320 pixels, as Mastodon allows
THUMBNAIL_SIZE = (640, 640)
SUPPORTED = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
_SAVE_AS = {
    "JPEG": ("JPEG", "jpg"),
    "PNG": ("PNG", "png"),
    "GIF": ("PNG", "png"),
    "WEBP": ("WEBP", "webp"),
}
DESCRIPTION_LIMIT = 1_500


@dataclass(frozen=True, slots=True)
class ProcessedImage:
    original: bytes
    small: bytes
    extension: str
    content_type: str
    meta: dict[str, Any]
    blurhash: str


def _size_meta(width: int, height: int) -> dict[str, Any]:
    return {"width": width, "height": height, "size": f"{width}x{height}", "aspect": width / height}


def _open(data: bytes, *, decode: bool = True) -> PillowImage:
    """The image, checked; without ``decode`` only its header is read (fast: for answering
    an upload before it is processed)."""
    from PIL import Image, UnidentifiedImageError

    if len(data) > IMAGE_SIZE_LIMIT:
        raise ValidationError(
            "Validation failed: File file size must be less than "
            f"{IMAGE_SIZE_LIMIT // 1024 // 1024} MB"
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if decode:
                image.load()
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombWarning,
        Image.DecompressionBombError,
    ) as exc:
        raise ValidationError(
            "Validation failed: File content type is invalid or the image is broken"
        ) from exc
    if image.format not in SUPPORTED:
        raise ValidationError("Validation failed: File content type is invalid")
    if image.width * image.height > IMAGE_MATRIX_LIMIT:
        raise ValidationError(
            f"Validation failed: Image is larger than {IMAGE_MATRIX_LIMIT} pixels"
        )
    return image


def _clean(image: PillowImage, max_size: tuple[int, int] | None) -> PillowImage:
    """A fresh image with the pixels only: orientation applied, every metadata block gone."""
    from PIL import Image, ImageOps

    upright = ImageOps.exif_transpose(image) or image
    mode = "RGBA" if upright.mode in ("RGBA", "LA", "P") and image.format != "JPEG" else "RGB"
    clean = Image.new(mode, upright.size)
    clean.paste(upright.convert(mode))
    if max_size is not None:
        clean.thumbnail(max_size, Image.Resampling.LANCZOS)
    return clean


def _encode(image: PillowImage, fmt: str) -> bytes:
    out = io.BytesIO()
    if fmt == "JPEG":
        image.convert("RGB").save(out, "JPEG", quality=88, optimize=True)
    else:
        image.save(out, fmt)
    return out.getvalue()


def _blurhash(image: PillowImage) -> str:
    import blurhash

    small = image.convert("RGB").copy()
    small.thumbnail((64, 64))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return str(blurhash.encode(small, 4, 3))


def process_image(data: bytes, max_size: tuple[int, int] | None = None) -> ProcessedImage:
    """Check and re-encode one image (CPU-bound: call it in a thread)."""
    image = _open(data)
    fmt, extension = _SAVE_AS[str(image.format)]
    from PIL import Image

    clean = _clean(image, max_size)
    small = clean.copy()
    small.thumbnail(THUMBNAIL_SIZE, Image.Resampling.LANCZOS)
    meta = {
        "original": _size_meta(*clean.size),
        "small": _size_meta(*small.size),
    }
    return ProcessedImage(
        original=_encode(clean, fmt),
        small=_encode(small, fmt),
        extension=extension,
        content_type=SUPPORTED[fmt],
        meta=meta,
        blurhash=_blurhash(small),
    )


def _write_files(media_dir: Path, media_id: int, image: ProcessedImage) -> tuple[str, str]:
    folder = Path("attachments") / str(media_id)
    (media_dir / folder).mkdir(parents=True, exist_ok=True)
    original = folder / f"original.{image.extension}"
    small = folder / f"small.{image.extension}"
    (media_dir / original).write_bytes(image.original)
    (media_dir / small).write_bytes(image.small)
    return original.as_posix(), small.as_posix()


def check_focus(raw: str | None) -> tuple[int, int] | None:
    """``"x,y"`` with both in -1.0..1.0, kept as thousandths."""
    if raw is None or raw == "":
        return None
    try:
        x, y = (float(part) for part in raw.split(","))
    except ValueError as exc:
        raise ValidationError("focus must be two numbers like 0.5,-0.2") from exc
    if not (-1 <= x <= 1 and -1 <= y <= 1):
        raise ValidationError("focus values must be between -1.0 and 1.0")
    return round(x * 1000), round(y * 1000)


def check_description(description: str | None) -> str:
    if description is not None and len(description) > DESCRIPTION_LIMIT:
        raise ValidationError(
            "Validation failed: Description is too long "
            f"(maximum is {DESCRIPTION_LIMIT} characters)"
        )
    return description or ""


def _processed(image: ProcessedImage, paths: tuple[str, str]) -> dict[str, Any]:
    """The columns of a processed image."""
    return {
        "content_type": image.content_type,
        "file_path": paths[0],
        "thumbnail_path": paths[1],
        "file_size": len(image.original),
        "blurhash": image.blurhash,
        "meta": orjson.dumps(image.meta).decode(),
        "processing": "complete",
    }


async def upload(
    store: Store,
    media_dir: Path,
    account_id: int,
    data: bytes,
    *,
    description: str | None = None,
    focus: str | None = None,
    max_size: tuple[int, int] | None = None,
) -> int:
    """Store one image for ``account_id``; returns the media id. Nothing is kept on error."""
    text = check_description(description)
    point = check_focus(focus)
    image = await asyncio.to_thread(process_image, data, max_size)
    media_id = store.new_id()
    paths = await asyncio.to_thread(_write_files, media_dir, media_id, image)
    try:
        async with store.write() as conn:
            await conn.execute(
                insert(media_attachments).values(
                    id=media_id,
                    account_id=account_id,
                    type="image",
                    description=text,
                    focus_x=point[0] if point else None,
                    focus_y=point[1] if point else None,
                    created_at=now_ms(),
                    **_processed(image, paths),
                )
            )
    except BaseException:
        shutil.rmtree(media_dir / "attachments" / str(media_id), ignore_errors=True)
        raise
    return media_id


async def upload_later(
    store: Store,
    media_dir: Path,
    account_id: int,
    data: bytes,
    *,
    description: str | None = None,
    focus: str | None = None,
) -> int:
    """Check the upload's header and keep it for the worker to process (``PROCESS_MEDIA``);
    small files are processed at once. Returns the media id; its ``processing`` tells which."""
    if len(data) <= PROCESS_LATER_BYTES:
        return await upload(
            store, media_dir, account_id, data, description=description, focus=focus
        )
    text, point = check_description(description), check_focus(focus)
    await asyncio.to_thread(_open, data, decode=False)
    media_id = store.new_id()
    folder = media_dir / "attachments" / str(media_id)
    await asyncio.to_thread(_write_upload, folder, data)
    try:
        async with store.write() as conn:
            await conn.execute(
                insert(media_attachments).values(
                    id=media_id,
                    account_id=account_id,
                    type="image",
                    file_size=len(data),
                    description=text,
                    focus_x=point[0] if point else None,
                    focus_y=point[1] if point else None,
                    processing="queued",
                    created_at=now_ms(),
                )
            )
            await JobQueue(store).enqueue(conn, PROCESS_MEDIA, {"media_id": media_id})
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return media_id


def _write_upload(folder: Path, data: bytes) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "upload").write_bytes(data)


async def process_later(store: Store, media_dir: Path, payload: dict[str, Any]) -> None:
    """The worker's half of ``upload_later``: process, store, mark complete (or failed)."""
    media_id = int(payload["media_id"])
    folder = media_dir / "attachments" / str(media_id)
    raw = folder / "upload"
    if not raw.exists():
        return  # done already: the job ran before, or the upload was deleted
    try:
        image = await asyncio.to_thread(process_image, raw.read_bytes())
    except ValidationError:
        await _mark(store, media_id, {"processing": "failed"})
        raw.unlink(missing_ok=True)
        return
    paths = await asyncio.to_thread(_write_files, media_dir, media_id, image)
    await _mark(store, media_id, _processed(image, paths))
    raw.unlink(missing_ok=True)


async def _mark(store: Store, media_id: int, values: dict[str, Any]) -> None:
    async with store.write() as conn:
        await conn.execute(
            update(media_attachments).where(media_attachments.c.id == media_id).values(**values)
        )


async def get_own(store: Store, account_id: int, media_id: int) -> dict[str, Any]:
    async with store.read() as conn:
        row = await conn.fetch_one(
            select(media_attachments).where(
                media_attachments.c.id == media_id, media_attachments.c.account_id == account_id
            )
        )
    if row is None:
        raise NotFoundError("Record not found")
    return dict(row._mapping)


async def update_media(
    store: Store, account_id: int, media_id: int, *, description: str | None, focus: str | None
) -> None:
    values: dict[str, Any] = {}
    if description is not None:
        values["description"] = check_description(description)
    point = check_focus(focus)
    if point is not None:
        values.update(focus_x=point[0], focus_y=point[1])
    async with store.write() as conn:
        found = await conn.fetch_all(
            update(media_attachments)
            .where(media_attachments.c.id == media_id, media_attachments.c.account_id == account_id)
            .values(**values or {"processing": "complete"})
            .returning(media_attachments.c.id)
        )
    if not found:
        raise NotFoundError("Record not found")
