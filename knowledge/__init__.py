"""The Leistungsverzeichnis: catalogue model, storage, exchange and search."""
