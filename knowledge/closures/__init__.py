"""Closures and notices: when a line, a county or a unit is closed (a Personalversammlung, a flood, an IT
outage), and the Info-Meldungen agents must know before they give out hours. Stored, audited, counted in
the catalogue revision so every instance follows them within a second; held in memory as small
immutable views that routing, search and the units API read."""
