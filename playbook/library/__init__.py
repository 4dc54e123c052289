"""The data library: the schema of every data file, reading and checking them, the ``Library``."""
