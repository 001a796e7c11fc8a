"""Call statistics without personal data: counters per quarter hour, the ACD's queue_log, search insights.

Nothing here is kept per agent or per caller. Calls, routing decisions, agents' wrap-ups and searches
become counters per 15 minutes × line × county × pool (× service for wrap-ups), added atomically so
several instances can write at once; a caller's number is reduced to its county on arrival.
"""
