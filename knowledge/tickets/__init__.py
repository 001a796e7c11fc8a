"""Tickets: every question not answered in the call is answered within 24 service hours — callbacks,
questions forwarded to the responsible unit (Fachbereich), switchboard messages, and the mails that carry them."""
