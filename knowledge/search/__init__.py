"""German agent search over the catalogue: analysis, the whoosh index, queries, ranking and hits."""
