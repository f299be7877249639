"""Loaders: one per real source format, each checking its schema and naming the file when it is wrong."""
