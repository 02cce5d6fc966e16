"""Blobs: the gauss point set under another name (a scratch task: what adding one takes)."""

from nncli.tasks.gauss import GaussTask


class BlobsTask(GaussTask):
    name = "blobs"
