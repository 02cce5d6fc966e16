"""Data shipped with nncli (see README.md in this folder for sources and licences)."""
