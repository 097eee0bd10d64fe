"""Dataset names by the OpenLineage naming spec, from the paths jobs read and wrote.

=====================================  =========================  ==================
path                                   namespace                  name
=====================================  =========================  ==================
``/data/raw`` or ``data/raw``          ``file``                   ``/abs/data/raw``
``file:///data/raw``                   ``file``                   ``/data/raw``
``s3://bucket/a/b`` (also s3a, s3n)    ``s3://bucket``            ``a/b``
``gs://bucket/a/b``                    ``gs://bucket``            ``a/b``
``hdfs://nn:8020/a/b``                 ``hdfs://nn:8020``         ``/a/b``
``abfss://c@acct.dfs.../a``            ``abfss://c@acct.dfs...``  ``/a``
=====================================  =========================  ==================

A relative local path is made absolute against the working directory, as the job saw
it. A trailing slash is dropped.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

_BUCKET_SCHEMES = {"s3": "s3", "s3a": "s3", "s3n": "s3", "gs": "gs"}


def dataset_identity(path: str) -> tuple[str, str]:
    """Return the OpenLineage ``(namespace, name)`` of a dataset path."""
    text = path.strip()
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if len(scheme) <= 1 or scheme == "file":  # "" or a Windows drive letter
        local = parts.path if scheme == "file" else text
        return "file", _strip(os.path.abspath(local))
    if scheme in _BUCKET_SCHEMES:
        return f"{_BUCKET_SCHEMES[scheme]}://{parts.netloc}", _strip(parts.path.lstrip("/")) or "/"
    return f"{scheme}://{parts.netloc}", _strip(parts.path) or "/"


def _strip(name: str) -> str:
    return name.rstrip("/") if len(name) > 1 else name
