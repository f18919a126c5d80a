"""Parquet through pyarrow, one row group batch at a time; every column read as text."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from tillit.analytics.i18n import gettext_noop as _
from tillit.analytics.readers import BATCH_ROWS, Batch, Source, SourceError, SourceInfo


def _as_text(array: pa.Array) -> pa.Array:
    if pa.types.is_timestamp(array.type) and array.type.tz:
        # times become Stockholm wall-clock text, as a CSV export would write them
        return pc.strftime(
            pc.local_timestamp(array.cast(pa.timestamp(array.type.unit, tz="Europe/Stockholm"))),
            format="%Y-%m-%d %H:%M:%S",
        )
    if pa.types.is_timestamp(array.type):
        return pc.strftime(array, format="%Y-%m-%d %H:%M:%S")
    return array.cast(pa.string())


class ParquetSource(Source):
    def __init__(self, path: Path):
        self.path = path
        self.bad_rows = []
        try:
            self.file = pq.ParquetFile(path)
        except (pa.ArrowInvalid, OSError) as error:
            raise SourceError(
                _("The Parquet file could not be opened: %(detail)s"), {"detail": str(error)}
            ) from None
        self.info = SourceInfo(
            format="parquet",
            headers=list(self.file.schema_arrow.names),
            header_row=0,
            size=path.stat().st_size,
            estimated_rows=self.file.metadata.num_rows,
            decimal=".",
        )

    def batches(self) -> Iterator[Batch]:
        done = 0
        for record_batch in self.file.iter_batches(batch_size=BATCH_ROWS):
            columns = [_as_text(col).to_pylist() for col in record_batch.columns]
            n = record_batch.num_rows
            yield Batch(columns, list(range(done + 1, done + n + 1)))
            done += n
