"""The Leistungsverzeichnis itself: counties, places, units, services and who is responsible, with its exchange formats."""
